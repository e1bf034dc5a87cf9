/* 九宫格: a light runs round the eight cells while the server decides, then slows down and stops
   on a cell of the awarded tier. The light's last place is set exactly, so it always rests on
   the awarded tier (the play itself is Game.spin's). */
(function () {
  "use strict";

  var G = window.Game;
  var grid = document.getElementById("grid");
  var button = document.getElementById("go");
  var cells = Array.prototype.slice.call(grid.querySelectorAll(".cell"));
  var N = cells.length;
  var SPEED = 0.014;     // cruise speed, cells per ms
  var position = 0;      // the light's place, in cells clockwise from the top left
  var lit = -1;
  var base = 0, slow = null;

  function light(value, moving) {
    position = value;
    var index = ((Math.round(value) % N) + N) % N;
    if (index === lit) return;
    if (lit >= 0) cells[lit].classList.remove("on");
    cells[index].classList.add("on");
    lit = index;
    grid.dataset.lit = index;
    if (moving) G.tick();
  }

  // How many cells the light moves from ``from`` to stop on a random cell of ``tier``, at least ``min``.
  function distance(tier, from, min) {
    var choices = [];
    cells.forEach(function (cell, i) { if (cell.dataset.tier === tier) choices.push(i); });
    if (!choices.length) throw new Error("no cell for tier " + tier);
    var target = choices[Math.floor(Math.random() * choices.length)];
    var start = Math.round(from);
    var steps = ((target - start) % N + N) % N;
    while (steps < min) steps += N;
    return start + steps - from;
  }

  var game = {
    stage: grid,
    button: button,
    spinUp: 400,
    begin: function () { base = position; },
    cruise: function (elapsed) { light(base + SPEED * elapsed, true); },
    // Ease-out cubic from cruise speed: D cells take 3D / speed; at least a round and a half.
    land: function (result, now, elapsed) {
      var from = base + SPEED * elapsed;
      var d = distance(result.awarded_tier, from, N + N / 2);
      slow = { at: now, from: from, d: d, duration: 3 * d / SPEED };
    },
    stopping: function (now) {
      var p = Math.min(1, (now - slow.at) / slow.duration);
      light(p >= 1 ? slow.from + slow.d : slow.from + slow.d * (1 - Math.pow(1 - p, 3)), true);
      return p >= 1;
    },
    jump: function (result) { light(position + distance(result.awarded_tier, position, 0), false); }
  };

  button.addEventListener("click", function () { G.spin(game); });

  G.start({
    reset: function () { grid.dataset.state = "rest"; }
  });
})();
