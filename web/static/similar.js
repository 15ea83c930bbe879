// Possible duplicates while typing: a progressive enhancement of the "check for similar" button.
// The form names the fragment URL in data-similar; the answer is server-rendered, escaped HTML.
(function () {
  "use strict";
  var form = document.querySelector("form[data-similar]");
  var box = document.getElementById("similar");
  if (!form || !box || !window.fetch || !window.URLSearchParams) { return; }
  // Households and budget stay: they weigh in the severity of the overlap the box foresees.
  var SKIP = { csrf_token: 1, description: 1, action: 1 };
  var timer = null;
  var last = "";
  var seq = 0;

  function query() {
    var params = new URLSearchParams();
    var data = new FormData(form);
    data.forEach(function (value, name) {
      if (!SKIP[name] && typeof value === "string" && value) { params.append(name, value); }
    });
    if (form.dataset.exclude) { params.append("exclude", form.dataset.exclude); }
    return params;
  }

  function check() {
    var params = query();
    var title = (params.get("title") || "").trim();
    if (title.length < 3 && !params.get("skills") && !params.get("category")) { return; }
    var text = params.toString();
    if (text === last) { return; }
    last = text;
    var mine = ++seq;
    fetch(form.dataset.similar + "?" + text, { credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.text() : ""; })
      .then(function (html) { if (mine === seq) { box.innerHTML = html; } })
      .catch(function () { /* offline: the button still works */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 600);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
