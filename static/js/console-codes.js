// The code upload with a progress bar: the file is sent with XMLHttpRequest so upload progress is visible.
(function () {
  "use strict";
  var form = document.getElementById("codes-form");
  if (!form || !window.FormData) { return; }
  var bar = document.getElementById("upload-progress");
  var report = document.getElementById("report");

  // The page's own words (translated on the server); "{name}" marks a value.
  function text(name, fallback, values) {
    var template = form.getAttribute("data-text-" + name) || fallback;
    return template.replace(/\{(\w+)\}/g, function (whole, key) { return key in (values || {}) ? String(values[key]) : whole; });
  }

  function line(words) {
    var p = document.createElement("p");
    p.textContent = words;
    return p;
  }

  function show(result) {
    report.textContent = "";
    if (result.error) {
      report.appendChild(line(result.error.message));
      return;
    }
    var summary = text("summary", "{imported} codes imported of {valid} valid; {refused} lines refused",
      { imported: result.imported, valid: result.valid, refused: result.error_count });
    if (result.error_count && !result.imported) { summary += " — " + text("nothing", "nothing was imported"); }
    report.appendChild(line(summary + "."));
    var list = document.createElement("ol");
    list.className = "errors";
    result.errors.forEach(function (e) {
      var li = document.createElement("li");
      li.textContent = text("line", "Line {line}:", { line: e.line }) + " " + e.message;
      list.appendChild(li);
    });
    if (result.errors.length) { report.appendChild(list); }
    var count = document.querySelector('[data-tier-count="' + CSS.escape(result.tier || "") + '"]');
    if (count && result.imported) { count.textContent = String(Number(count.textContent) + result.imported); }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-Requested-With", "fetch");
    bar.hidden = false;
    bar.value = 0;
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { bar.value = Math.round(e.loaded / e.total * 100); }
    });
    xhr.addEventListener("load", function () {
      bar.value = 100;
      try { show(JSON.parse(xhr.responseText)); } catch (err) { report.textContent = text("failed", "The upload failed; please try again."); }
    });
    xhr.addEventListener("error", function () { report.textContent = text("failed", "The upload failed; please try again."); });
    xhr.send(new FormData(form));
  });
})();
