/* 老虎机: three reels turn while the server decides, then stop one after another on the pay line.
   A win lines up the awarded tier's symbol three times. A loss stops on three different symbols,
   none of them the top prize's, so it never looks like almost winning (a near miss). Positions
   follow elapsed time and the last one is set exactly, like the wheel. */
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
    return { el: el, strip: el.querySelector(".strip"), at: (i * 2) % L, shown: -1 };
  });
  var SPEED = 0.018;     // symbols per ms
  var SPIN_UP = 400;     // ms before the first reel may stop
  var MIN_TURN = [7, 11, 15];  // symbols each reel turns at least while stopping, so they stop in order
  var running = false;

  function place(reel, at) {
    reel.at = at;
    reel.strip.style.transform = "translateY(" + (-(((at % L) + L) % L) * 100 / (2 * L)) + "%)";
    var shown = ((Math.round(at) % L) + L) % L;
    if (shown !== reel.shown) {
      reel.shown = shown;
      reel.el.dataset.symbol = symbols[shown];
      if (running) G.tick();
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
    var start = Math.floor(from), target = symbols.indexOf(symbol);
    var steps = ((target - start) % L + L) % L;
    while (steps < min) steps += L;
    return start + steps - from;
  }

  function finish(result) {
    running = false;
    slot.dataset.state = "landed";
    button.disabled = false;
    G.showResult(result);
  }

  function play() {
    if (running) return;
    running = true;
    button.disabled = true;
    G.playing();
    slot.dataset.state = "running";
    var answer = null, failure = null;
    var asked = G.draw();
    if (G.reduced) {
      asked.then(function (result) {
        line(result).forEach(function (symbol, i) { place(reels[i], reels[i].at + distance(symbol, reels[i].at, 0)); });
        finish(result);
      }, stop);
      return;
    }
    asked.then(function (result) { answer = result; }, function (error) { failure = error; });
    var start = performance.now(), stops = null;
    var bases = reels.map(function (reel) { return reel.at; });
    function frame(now) {
      if (failure) { stop(failure); return; }
      if (!stops && answer && now - start >= SPIN_UP) {
        stops = line(answer).map(function (symbol, i) {
          var from = bases[i] + SPEED * (now - start);
          var d = distance(symbol, from, MIN_TURN[i]);
          return { from: from, d: d, duration: 3 * d / SPEED, at: now };
        });
      }
      var moving = false;
      reels.forEach(function (reel, i) {
        if (!stops) { place(reel, bases[i] + SPEED * (now - start)); moving = true; return; }
        var s = stops[i], p = (now - s.at) / s.duration;
        if (p >= 1) { place(reel, s.from + s.d); return; }
        place(reel, s.from + s.d * (1 - Math.pow(1 - p, 3)));
        moving = true;
      });
      if (!moving) { finish(answer); return; }
      window.requestAnimationFrame(frame);
    }
    window.requestAnimationFrame(frame);
  }

  function stop(error) {
    running = false;
    button.disabled = false;
    slot.dataset.state = "rest";
    G.fail(error, play);
  }

  reels.forEach(function (reel) { place(reel, reel.at); });
  button.addEventListener("click", play);

  G.start({
    reset: function () { slot.dataset.state = "rest"; }
  });
})();
