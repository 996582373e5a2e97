// "Cite this essay": Copy buttons, shown only where the page may write to the clipboard.
// The citations are plain text on the page; without this script they are selected by hand.
// What the status line says comes from the page, in its language (data-copied, data-failed).
(function () {
  var status = document.getElementById("rt-cite-status");
  if (!status || !navigator.clipboard) return;
  function copy(source) {
    if (typeof ClipboardItem !== "function") return navigator.clipboard.writeText(source.innerText);
    return navigator.clipboard.write([new ClipboardItem({
      "text/plain": new Blob([source.innerText], { type: "text/plain" }),
      "text/html": new Blob([source.innerHTML], { type: "text/html" }),
    })]);
  }
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      copy(document.getElementById(button.dataset.copy)).then(
        function () { status.textContent = status.dataset.copied; },
        function () { status.textContent = status.dataset.failed; }
      );
    });
  });
})();
