/* 老虎机: three reels turn while the server decides, then stop one after another on the pay line.
   A win lines up the awarded tier's symbol three times. A loss stops on three different symbols,
   none of them the top prize's, so it never looks like almost winning (a near miss). The last
   positions are set exactly (the play itself is Game.spin's). */
(function () {
  "use strict";

  var G = window.Game;
  var slot = document.getElementById("slot");
  var button = document.getElementById("pull");
  var symbols = G.data.symbols;
  var L = symbols.length;
  var tiers = {};
  G.data.tiers.forEach(function (tier) { tiers[tier.tier] = tier; });
  var reels = Array.prototype.slice.call(slot.querySelectorAll(".reel")).map(function (el, i) {
    // Each reel starts elsewhere on its strip, so the machine does not rest on a line.
    return { el: el, strip: el.querySelector(".strip"), at: (i * 2) % L, shown: -1, base: 0, stop: null };
  });
  var SPEED = 0.018;     // symbols per ms
  var MIN_TURN = [7, 11, 15];  // symbols each reel turns at least while stopping, so they stop in order

  function place(reel, at, moving) {
    reel.at = at;
    reel.strip.style.transform = "translateY(" + (-(((at % L) + L) % L) * 100 / (2 * L)) + "%)";
    var shown = ((Math.round(at) % L) + L) % L;
    if (shown !== reel.shown) {
      reel.shown = shown;
      reel.el.dataset.symbol = symbols[shown];
      if (moving) G.tick();
    }
  }

  function shuffled(list) {
    var copy = list.slice();
    for (var i = copy.length - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1));
      var x = copy[i]; copy[i] = copy[j]; copy[j] = x;
    }
    return copy;
  }

  // The symbol each reel stops on: three of the awarded tier's, or a line that is no near miss.
  function line(result) {
    var tier = tiers[result.awarded_tier];
    if (tier && !tier.fallback && symbols.indexOf(tier.tier) >= 0) return [tier.tier, tier.tier, tier.tier];
    return shuffled(symbols.filter(function (s) { return s !== G.data.top; })).slice(0, 3);
  }

  // Symbols to turn from ``from`` to stop on ``symbol``, at least ``min``.
  function distance(symbol, from, min) {
    var start = Math.round(from), target = symbols.indexOf(symbol);
    var steps = ((target - start) % L + L) % L;
    while (steps < min) steps += L;
    return start + steps - from;
  }

  var game = {
    stage: slot,
    button: button,
    spinUp: 400,
    begin: function () { reels.forEach(function (reel) { reel.base = reel.at; }); },
    cruise: function (elapsed) {
      reels.forEach(function (reel) { place(reel, reel.base + SPEED * elapsed, true); });
    },
    // Each reel eases out from cruise speed (D symbols take 3D / speed), the later ones turning longer.
    land: function (result, now, elapsed) {
      line(result).forEach(function (symbol, i) {
        var from = reels[i].base + SPEED * elapsed;
        var d = distance(symbol, from, MIN_TURN[i]);
        reels[i].stop = { from: from, d: d, duration: 3 * d / SPEED, at: now };
      });
    },
    stopping: function (now) {
      var stopped = 0;
      reels.forEach(function (reel) {
        var s = reel.stop, p = Math.min(1, (now - s.at) / s.duration);
        place(reel, p >= 1 ? s.from + s.d : s.from + s.d * (1 - Math.pow(1 - p, 3)), true);
        if (p >= 1) stopped++;
      });
      return stopped === reels.length;
    },
    jump: function (result) {
      line(result).forEach(function (symbol, i) { place(reels[i], reels[i].at + distance(symbol, reels[i].at, 0), false); });
    }
  };

  reels.forEach(function (reel) { place(reel, reel.at, false); });
  button.addEventListener("click", function () { G.spin(game); });

  G.start({
    reset: function () { slot.dataset.state = "rest"; }
  });
})();
