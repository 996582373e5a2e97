// Starts Decap CMS for Roundtable (roundtable/publish/cms.py makes config.yml beside this file).
(() => {
  // A list of forms that also reads the shorter ways front matter writes people:
  // `author: A. Name`, or a list of plain names. Decap's own list widget breaks on both.
  // The value is changed only when the editor changes the list, so an untouched field is
  // saved exactly as it was written. Immutable's List and Map come from the field itself.
  const list = CMS.getWidget("list");
  const asForms = (value, field) => {
    const forms = field.get("forms");
    const List = forms.constructor;
    const Map = field.constructor;
    const form = (item) => (typeof item === "string" ? Map({ name: item }) : item);
    if (typeof value === "string") return List([form(value)]);
    return value && value.map ? value.map(form) : value;
  };
  const control = (props) =>
    h(list.control, {
      ...props,
      field: props.field.set("fields", props.field.get("forms")),
      value: asForms(props.value, props.field),
    });
  // Its preview names the people: their forms hold each one's `name`.
  const names = (value) =>
    (typeof value === "string" ? [value] : Array.from(value || [])).map((item) =>
      typeof item === "string" ? item : (item && item.get && item.get("name")) || "",
    );
  const preview = (props) => h("p", {}, names(props.value).join(", "));
  CMS.registerWidget("forms", control, preview);

  // Served by `roundtable serve` on this computer: save into content/ through its local
  // backend (Decap's decap-server protocol), with no account. Anywhere else: GitHub.
  const here = ["localhost", "127.0.0.1", "[::1]"].includes(location.hostname);
  // Published without a repository named (site.yml's `repo:`): say so, rather than start an
  // editor that cannot load its configuration.
  const unnamed = document.getElementById("rt-no-repo");
  if (!here && unnamed) {
    unnamed.hidden = false;
    return;
  }
  const url = new URL("/__roundtable/cms/api/v1", location.href).href;
  const local_backend = { url, allowed_hosts: [location.hostname] };
  CMS.init(here ? { config: { local_backend } } : {});
})();
