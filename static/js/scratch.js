/* The scratch card: a canvas cover over the server's result. The draw is asked for when
   scratching starts, so the result is already underneath by the time it shows. */
(function () {
  "use strict";

  var G = window.Game;
  var t = G.t;
  var card = document.getElementById("card");
  var canvas = document.getElementById("cover");
  // Read back every few strokes: a CPU-side canvas makes getImageData cheap.
  var ctx = canvas.getContext("2d", { willReadFrequently: true });
  var underText = document.getElementById("under-text");
  var underImage = document.getElementById("under-image");
  var revealButton = document.getElementById("reveal");
  var GRID_X = 20, GRID_Y = 12;   // coarse sampling grid of the cleared share
  var SAMPLE_EVERY = 120;          // ms between samples while a finger moves
  var BRUSH = 0.07;                // brush radius, as a share of the card's width
  var REVEAL_AT = 0.5;
  // Strokes in card-relative coordinates (0..1), so a resize redraws exactly what was scratched.
  var strokes = [];
  var current = null;
  var result = null;
  var asked = false;
  var revealAll = false;
  var revealed = false;
  var lastSample = 0;

  function fit() {
    var box = card.getBoundingClientRect();
    var dpr = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(box.width * dpr));
    canvas.height = Math.max(1, Math.round(box.height * dpr));
    paintCover();
    strokes.forEach(paintStroke);
  }

  function paintCover() {
    var w = canvas.width, h = canvas.height;
    ctx.globalCompositeOperation = "source-over";
    var shine = ctx.createLinearGradient(0, 0, w, h);
    shine.addColorStop(0, "#9a9a9a");
    shine.addColorStop(0.5, "#d6d6d6");
    shine.addColorStop(1, "#8c8c8c");
    ctx.fillStyle = shine;
    ctx.fillRect(0, 0, w, h);
    ctx.fillStyle = "#1f1f1f";
    ctx.font = "700 " + Math.round(h * 0.13) + "px sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(t.scratch_here, w / 2, h / 2);
  }

  function paintStroke(points, from) {
    var w = canvas.width, h = canvas.height;
    ctx.globalCompositeOperation = "destination-out";
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.lineWidth = BRUSH * 2 * w;
    var start = Math.max(0, (from || 0) - 1);
    ctx.beginPath();
    ctx.moveTo(points[start][0] * w, points[start][1] * h);
    for (var i = start; i < points.length; i++) ctx.lineTo(points[i][0] * w + (i === start ? 0.01 : 0), points[i][1] * h);
    ctx.stroke();
  }

  // The share of grid points whose cover is gone; one getImageData, only every SAMPLE_EVERY ms.
  function clearedShare() {
    var w = canvas.width, h = canvas.height;
    var pixels = ctx.getImageData(0, 0, w, h).data;
    var clear = 0;
    for (var gy = 0; gy < GRID_Y; gy++) {
      for (var gx = 0; gx < GRID_X; gx++) {
        var x = Math.floor((gx + 0.5) * w / GRID_X), y = Math.floor((gy + 0.5) * h / GRID_Y);
        if (pixels[(y * w + x) * 4 + 3] < 128) clear++;
      }
    }
    return clear / (GRID_X * GRID_Y);
  }

  function check() {
    if (revealed) return;
    var share = clearedShare();
    canvas.dataset.cleared = share.toFixed(2);
    if (result && (revealAll || share >= REVEAL_AT)) finish();
  }

  function finish() {
    revealed = true;
    canvas.classList.add("gone");
    revealButton.hidden = true;
    G.showResult(result);
  }

  function point(event) {
    var box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height];
  }

  function ask() {
    if (asked) return;
    asked = true;
    G.playing();
    underText.textContent = t.loading;
    G.draw().then(function (answer) {
      result = answer;
      underText.textContent = answer.prize.name;
      underImage.hidden = !answer.prize.image;
      if (answer.prize.image) underImage.src = answer.prize.image;
      check();
    }, function (error) {
      asked = false;
      G.fail(error, ask);
    });
  }

  function down(event) {
    if (revealed) return;
    event.preventDefault();
    if (canvas.setPointerCapture) canvas.setPointerCapture(event.pointerId);
    current = [point(event)];
    strokes.push(current);
    paintStroke(current, 0);
    ask();
  }

  function move(event) {
    if (!current || revealed) return;
    event.preventDefault();
    current.push(point(event));
    paintStroke(current, current.length - 1);
    var now = performance.now();
    if (now - lastSample >= SAMPLE_EVERY) {
      lastSample = now;
      check();
    }
  }

  function up() {
    if (!current) return;
    current = null;
    check();
  }

  function reveal() {
    revealAll = true;
    ask();
    if (result) check();
  }

  var resizeTimer = null;
  function resized() {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      if (revealed) return;
      fit();
      check();
    }, 100);
  }

  canvas.addEventListener("pointerdown", down);
  canvas.addEventListener("pointermove", move);
  canvas.addEventListener("pointerup", up);
  canvas.addEventListener("pointercancel", up);
  // Touch events are cancelled on the card only, so the page never scrolls under a finger.
  canvas.addEventListener("touchmove", function (event) { event.preventDefault(); }, { passive: false });
  window.addEventListener("resize", resized);
  window.addEventListener("orientationchange", resized);
  revealButton.addEventListener("click", reveal);

  G.start({
    reset: function () {
      strokes = [];
      current = null;
      result = null;
      asked = false;
      revealAll = false;
      revealed = false;
      underText.textContent = "?";
      underImage.hidden = true;
      canvas.classList.remove("gone");
      revealButton.hidden = false;
      canvas.dataset.cleared = "0.00";
      fit();
    }
  });
})();
