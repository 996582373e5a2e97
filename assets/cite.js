// "Cite this essay": Copy buttons, shown only where the page may write to the clipboard.
// The citations are plain text on the page; without this script they are selected by hand.
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
        function () { status.textContent = "Citation copied."; },
        function () { status.textContent = "Could not copy: select the text instead."; }
      );
    });
  });
})();
