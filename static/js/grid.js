/* 九宫格: a light runs round the eight cells while the server decides, then slows down and stops
   on a cell of the awarded tier. Like the wheel, the light follows elapsed time (frames may be
   throttled) and its last position is set exactly, so it always rests on the awarded tier. */
(function () {
  "use strict";

  var G = window.Game;
  var grid = document.getElementById("grid");
  var button = document.getElementById("go");
  var cells = Array.prototype.slice.call(grid.querySelectorAll(".cell"));
  var N = cells.length;
  var SPEED = 0.014;     // cruise speed, cells per ms
  var SPIN_UP = 400;     // ms before the light may start slowing down
  var position = 0;      // the light's place, in cells clockwise from the top left
  var lit = -1;
  var running = false;

  function light(value) {
    position = value;
    var index = ((Math.round(value) % N) + N) % N;
    if (index === lit) return;
    if (lit >= 0) cells[lit].classList.remove("on");
    cells[index].classList.add("on");
    lit = index;
    grid.dataset.lit = index;
    if (running) G.tick();
  }

  // How many cells the light moves from ``from`` to stop on a random cell of ``tier``, at least ``min``.
  function distance(tier, from, min) {
    var choices = [];
    cells.forEach(function (cell, i) { if (cell.dataset.tier === tier) choices.push(i); });
    if (!choices.length) throw new Error("no cell for tier " + tier);
    var target = choices[Math.floor(Math.random() * choices.length)];
    var start = Math.floor(from);
    var steps = ((target - start) % N + N) % N;
    while (steps < min) steps += N;
    return start + steps - from;
  }

  function idle() {
    running = false;
    button.disabled = false;
  }

  function finish(result, at) {
    running = false;
    light(at);
    grid.dataset.state = "landed";
    idle();
    G.showResult(result);
  }

  function play() {
    if (running) return;
    running = true;
    button.disabled = true;
    G.playing();
    grid.dataset.state = "running";
    var answer = null, failure = null;
    var asked = G.draw();
    if (G.reduced) {
      asked.then(function (result) { finish(result, position + distance(result.awarded_tier, position, 0)); }, stop);
      return;
    }
    asked.then(function (result) { answer = result; }, function (error) { failure = error; });
    var start = performance.now(), base = position, slow = null;
    function frame(now) {
      if (failure) { stop(failure); return; }
      var cruise = base + SPEED * (now - start);
      if (!slow && answer && now - start >= SPIN_UP) {
        // Ease-out cubic from cruise speed: D cells take 3D / speed; at least a round and a half.
        var d = distance(answer.awarded_tier, cruise, N + N / 2);
        slow = { at: now, from: cruise, d: d, duration: 3 * d / SPEED };
      }
      if (slow) {
        var p = (now - slow.at) / slow.duration;
        if (p >= 1) { finish(answer, slow.from + slow.d); return; }
        light(slow.from + slow.d * (1 - Math.pow(1 - p, 3)));
      } else {
        light(cruise);
      }
      window.requestAnimationFrame(frame);
    }
    window.requestAnimationFrame(frame);
  }

  function stop(error) {
    idle();
    grid.dataset.state = "rest";
    G.fail(error, play);
  }

  button.addEventListener("click", play);

  G.start({
    reset: function () {
      grid.dataset.state = "rest";
    }
  });
})();
