// The editor's image fields: choose a file, it is uploaded to the console's media store,
// and the field takes the returned path, with a preview beside it.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (!form) { return; }

  // The page's own words (translated on the server), with English if a page does not give them.
  function text(name, fallback) { return form.getAttribute("data-text-" + name) || fallback; }

  function say(box, message, failed) {
    var status = box.querySelector(".upload-status");
    status.textContent = message;
    status.className = "upload-status" + (failed ? " field-error" : "");
  }

  function upload(picker) {
    var box = picker.closest(".image-upload");
    var field = box.parentNode.querySelector("input:not([type=file])");
    var file = picker.files && picker.files[0];
    if (!file || !field) { return; }
    var body = new FormData();
    body.append("file", file);
    say(box, text("uploading", "Uploading…"), false);
    fetch(form.getAttribute("data-media-url"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": form.elements.csrf_token.value }
    }).then(function (response) {
      return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
    }).then(function (result) {
      if (!result.ok) {
        var error = result.answer.error || {};
        say(box, (error.fields && error.fields.file) || error.message || text("failed", "Upload failed."), true);
        return;
      }
      field.value = result.answer.path;
      field.dispatchEvent(new Event("input", { bubbles: true }));
      var thumb = box.querySelector("img.thumb");
      thumb.src = result.answer.path;
      thumb.hidden = false;
      say(box, text("uploaded", "Uploaded."), false);
    }).catch(function () {
      say(box, text("offline", "Upload failed; check the connection and try again."), true);
    }).then(function () { picker.value = ""; });
  }

  // Delegated, so prize rows added later upload too.
  form.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=file].upload")) { upload(event.target); }
  });
})();
