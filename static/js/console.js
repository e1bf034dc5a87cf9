// The campaign editor: extra prize rows, and the live preview of the odds as the marketer types.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  if (!form) { return; }
  var table = document.querySelector("#prizes tbody");
  var previewBody = document.querySelector("#preview-table tbody");
  var gamePreview = document.getElementById("game-preview");
  var timer = null;
  // Neighbouring segments always differ; the first takes the campaign's accent colour.
  var PALETTE = ["#c4161c", "#f4b400", "#fff7ec", "#1d5fbf", "#2e9d5b", "#ffd8a8"];

  function addRow() {
    var rows = table.querySelectorAll("tr");
    if (rows.length >= 20) { return; }
    var last = rows[rows.length - 1];
    var index = rows.length;
    var copy = last.cloneNode(true);
    copy.setAttribute("data-row", String(index));
    copy.querySelectorAll("input, select").forEach(function (field) {
      if (field.name === "fallback") { field.value = String(index); field.checked = false; return; }
      field.name = field.name.replace(/^prize-\d+-/, "prize-" + index + "-");
      if (field.tagName === "SELECT") { field.selectedIndex = 0; } else if (field.name.slice(-8) === "currency") { field.value = "CNY"; } else { field.value = ""; }
    });
    copy.querySelectorAll(".field-error").forEach(function (node) { node.remove(); });
    copy.querySelectorAll("img.thumb").forEach(function (img) { img.hidden = true; img.removeAttribute("src"); });
    copy.querySelectorAll(".upload-status").forEach(function (node) { node.textContent = ""; });
    table.appendChild(copy);
  }

  function cell(text) {
    var td = document.createElement("td");
    td.textContent = text;  // textContent, never innerHTML: tier names are the marketer's text
    return td;
  }

  function drawGame(rows) {
    var picked = form.elements.game.options[form.elements.game.selectedIndex];
    var wheel = !picked || picked.getAttribute("data-preview") === "wheel";
    gamePreview.textContent = "";
    gamePreview.className = "game-preview" + (wheel ? "" : " card");
    gamePreview.style.background = "";
    if (!wheel) {
      var label = document.createElement("strong");
      label.textContent = (form.elements["look-title"].value || form.elements.name.value || "") + " — " + picked.textContent;
      gamePreview.appendChild(label);
      return;
    }
    var accent = /^#[0-9a-fA-F]{3,6}$/.test(form.elements["look-accent"].value) ? form.elements["look-accent"].value : "#c4161c";
    var stops = [];
    var start = 0;
    rows.forEach(function (row, i) {
      var end = start + row.probability * 360;
      stops.push((i === 0 ? accent : PALETTE[i % PALETTE.length]) + " " + start + "deg " + end + "deg");
      var span = document.createElement("span");
      span.textContent = row.tier;
      span.style.transform = "rotate(" + ((start + end) / 2 - 90) + "deg) translate(30px, -6px)";
      gamePreview.appendChild(span);
      start = end;
    });
    gamePreview.style.background = stops.length ? "conic-gradient(" + stops.join(",") + ")" : "";
  }

  function render(result) {
    previewBody.textContent = "";
    result.tiers.forEach(function (row) {
      var tr = document.createElement("tr");
      tr.appendChild(cell(row.tier + (row.is_fallback ? " (" + (form.getAttribute("data-text-fallback") || "fallback") + ")" : "")));
      tr.appendChild(cell((row.probability * 100).toFixed(2) + "%"));
      tr.appendChild(cell(row.expected_first_day.toFixed(1)));
      tr.appendChild(cell(row.expected_total.toFixed(1)));
      tr.appendChild(cell(row.runs_out_on || "—"));
      previewBody.appendChild(tr);
    });
    drawGame(result.tiers);
  }

  function refresh() {
    var body = new FormData(form);
    fetch(form.getAttribute("data-preview-url"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": form.elements.csrf_token.value }
    }).then(function (response) { return response.ok ? response.json() : null; })
      .then(function (result) { if (result) { render(result); } })
      .catch(function () { /* the preview is a convenience; saving still works offline of it */ });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  }

  document.getElementById("add-prize").addEventListener("click", addRow);
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  refresh();
})();
