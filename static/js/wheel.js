/* The lucky wheel: spins while the server decides, then lands on a segment of the awarded tier.
   The animation follows elapsed time (requestAnimationFrame may be throttled) and the final
   angle is set exactly, so the pointer always rests on the awarded tier. */
(function () {
  "use strict";

  var G = window.Game;
  var canvas = document.getElementById("wheel");
  var button = document.getElementById("spin");
  var segments = G.data.segments;
  var tiers = {};
  G.data.tiers.forEach(function (tier) { tiers[tier.tier] = tier; });
  var SLICE = 360 / segments.length;
  var SPEED = 0.72;       // cruise speed, degrees per ms (two turns a second)
  var SPIN_UP = 500;      // ms to reach cruise speed
  var PRIZE_COLOURS = ["#c4161c", "#e8730c", "#8a1fb3", "#0f7b4a", "#1a56db", "#9c5a00"];
  var FALLBACK_COLOUR = "#fff3d6";
  var angle = 0;          // clockwise rotation of the wheel, degrees
  var spinning = false;
  var pointed = 0;        // the segment under the pointer
  var images = {};

  function colourOf(tier) {
    if (tiers[tier] && tiers[tier].fallback) return FALLBACK_COLOUR;
    var prizes = G.data.tiers.filter(function (x) { return !x.fallback; }).map(function (x) { return x.tier; });
    return PRIZE_COLOURS[prizes.indexOf(tier) % PRIZE_COLOURS.length];
  }

  function label(tier) { return tiers[tier] ? tiers[tier].name : tier; }

  // A label on at most two lines, broken only at a space or a punctuation mark ("三等奖：" / "曲奇一块"),
  // never inside a word: the font shrinks to fit instead (see paint).
  function labelLines(text) {
    var parts = (text.match(/[^\s：:，,、·]+[\s：:，,、·]*/g) || [text]);
    if (parts.length < 2) return [text];
    var best = null;
    for (var k = 1; k < parts.length; k++) {
      var lines = [parts.slice(0, k).join("").trim(), parts.slice(k).join("").trim()];
      var longest = Math.max(lines[0].length, lines[1].length);
      if (!best || longest < best.longest) best = { lines: lines, longest: longest };
    }
    return best.lines;
  }

  function paint() {
    var size = canvas.getBoundingClientRect().width || 300;
    var dpr = window.devicePixelRatio || 1;
    canvas.width = canvas.height = Math.round(size * dpr);
    var ctx = canvas.getContext("2d");
    var r = canvas.width / 2;
    ctx.setTransform(1, 0, 0, 1, r, r);
    segments.forEach(function (tier, i) {
      // Segment i spans [i, i+1) slices clockwise from twelve o'clock.
      var a0 = (i * SLICE - 90) * Math.PI / 180, a1 = ((i + 1) * SLICE - 90) * Math.PI / 180;
      ctx.beginPath();
      ctx.moveTo(0, 0);
      ctx.arc(0, 0, r - 2 * dpr, a0, a1);
      ctx.closePath();
      ctx.fillStyle = colourOf(tier);
      ctx.fill();
      ctx.strokeStyle = "#ffffff";
      ctx.lineWidth = 2 * dpr;
      ctx.stroke();
      ctx.save();
      ctx.rotate((a0 + a1) / 2);
      var fallback = tiers[tier] && tiers[tier].fallback;
      ctx.fillStyle = fallback ? "#1f1f1f" : "#ffffff";
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      var lines = labelLines(label(tier));
      var fontSize = Math.round(r * 0.085);
      ctx.font = "700 " + fontSize + "px sans-serif";
      // The label runs from the rim towards the hub (and the prize image, if any): shrink it to fit.
      var room = r * (images[tier] ? 0.45 : 0.62);
      var widest = Math.max.apply(null, lines.map(function (line) { return ctx.measureText(line).width; }));
      if (widest > room) {
        fontSize = Math.max(Math.round(r * 0.05), Math.floor(fontSize * room / widest));
        ctx.font = "700 " + fontSize + "px sans-serif";
      }
      lines.forEach(function (line, n) {
        ctx.fillText(line, r * 0.9, (n - (lines.length - 1) / 2) * fontSize * 1.15);
      });
      var image = images[tier];
      if (image && image.complete && image.naturalWidth) {
        var s = r * 0.2;
        ctx.drawImage(image, r * 0.28, -s / 2, s, s);
      }
      ctx.restore();
    });
    ctx.beginPath();
    ctx.arc(0, 0, r * 0.12, 0, 2 * Math.PI);
    ctx.fillStyle = "#ffffff";
    ctx.fill();
  }

  function loadImages() {
    // Prize images come from this origin only (the page checks), so the canvas stays untainted.
    G.data.tiers.forEach(function (tier) {
      if (!tier.image) return;
      var image = new Image();
      image.onload = paint;
      image.src = tier.image;
      images[tier.tier] = image;
    });
  }

  function setAngle(value) {
    angle = value;
    canvas.style.transform = "rotate(" + value + "deg)";
    // A tick each time a segment boundary passes the pointer.
    var under = Math.floor(mod(360 - value, 360) / SLICE);
    if (under !== pointed) {
      pointed = under;
      if (spinning) G.tick();
    }
  }

  // The rotation (mod 360) that puts a random point of a random segment of ``tier`` under the pointer.
  function restingAngle(tier) {
    var choices = [];
    segments.forEach(function (s, i) { if (s === tier) choices.push(i); });
    if (!choices.length) throw new Error("no segment for tier " + tier);
    var index = choices[Math.floor(Math.random() * choices.length)];
    var within = index * SLICE + SLICE * (0.15 + 0.7 * Math.random());
    return (360 - within) % 360;
  }

  function mod(a, n) { return ((a % n) + n) % n; }

  // How far to turn from ``from`` to rest on the awarded tier: less than one turn.
  function land(result, from) {
    return mod(restingAngle(result.awarded_tier) - from, 360);
  }

  function idle() {
    spinning = false;
    button.disabled = false;
    button.textContent = G.t.play_wheel;
  }

  function finish(result, finalAngle) {
    setAngle(finalAngle);
    canvas.dataset.angle = mod(finalAngle, 360).toFixed(3);
    canvas.dataset.state = "landed";
    idle();
    G.showResult(result);
  }

  function spin() {
    if (spinning) return;
    spinning = true;
    button.disabled = true;
    button.textContent = G.t.spinning;
    G.playing();
    canvas.dataset.state = "spinning";
    var answer = null, failure = null;
    var asked = G.draw();
    if (G.reduced) {
      // No motion: wait for the answer and show the resting wheel at once.
      asked.then(function (result) { finish(result, angle + land(result, angle)); }, stop);
      return;
    }
    asked.then(function (result) { answer = result; }, function (error) { failure = error; });
    var start = performance.now(), base = angle;
    var decel = null;
    function cruise(now) {
      var e = now - start;
      return e < SPIN_UP ? base + 0.5 * (SPEED / SPIN_UP) * e * e : base + 0.5 * SPEED * SPIN_UP + SPEED * (e - SPIN_UP);
    }
    function frame(now) {
      if (failure) { stop(failure); return; }
      if (!decel && answer && now - start >= SPIN_UP) {
        var from = cruise(now);
        // Ease-out cubic starting at cruise speed: distance D over T = 3D / speed, at least two turns.
        var distance = 720 + land(answer, from + 720);
        decel = { at: now, from: from, distance: distance, duration: 3 * distance / SPEED };
      }
      if (decel) {
        var p = (now - decel.at) / decel.duration;
        if (p >= 1) { finish(answer, decel.from + decel.distance); return; }
        setAngle(decel.from + decel.distance * (1 - Math.pow(1 - p, 3)));
      } else {
        setAngle(cruise(now));
      }
      window.requestAnimationFrame(frame);
    }
    window.requestAnimationFrame(frame);
  }

  function stop(error) {
    idle();
    canvas.dataset.state = "rest";
    G.fail(error, spin);
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(paint, 100);
  });
  button.addEventListener("click", spin);
  loadImages();

  G.start({
    reset: function () {
      canvas.dataset.state = "rest";
      paint();
    }
  });
})();
