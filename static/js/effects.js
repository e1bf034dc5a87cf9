/* What every game adds around a play: optional sound, vibration and the real-winners ticker.
   Sound stays off until the follower taps the toggle; WeChat's in-app browser on iOS only lets a
   page play audio from a tap or once its JS bridge is ready (WeixinJSBridgeReady), so the audio
   is unlocked there. The files are a few hundred bytes to a few KB, fetched on the first tap only. */
(function () {
  "use strict";

  var TICK_GAP = 45;        // ms: at most one tick this often, however fast the animation runs
  var TICKER_EVERY = 10000; // ms between asks for the winners list (the server caches it per campaign)
  var TICKER_SHOW = 3500;   // ms each winner stays on the ticker line
  var context = null, buffers = {}, elements = {}, on = false, lastTick = 0, played = 0;
  var button = null, base = "";

  function load(name) {
    var url = base + name + ".wav";
    if (!context) { elements[name] = new Audio(url); return; }
    fetch(url).then(function (r) { return r.arrayBuffer(); })
      .then(function (bytes) { return context.decodeAudioData(bytes); })
      .then(function (buffer) { buffers[name] = buffer; }, function () {});
  }

  function resume() { if (context && context.state === "suspended") context.resume().catch(function () {}); }

  function unlock() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!context && Ctx) context = new Ctx();
    ["tick", "win", "lose"].forEach(function (name) { if (!buffers[name] && !elements[name]) load(name); });
    resume();
    // iOS WeChat: audio started inside a bridge call counts as allowed, like a tap.
    if (window.WeixinJSBridge && window.WeixinJSBridge.invoke) window.WeixinJSBridge.invoke("getNetworkType", {}, resume);
  }

  function play(name) {
    if (!on) return;
    played++;
    button.dataset.played = played;
    if (context && buffers[name]) {
      var source = context.createBufferSource();
      source.buffer = buffers[name];
      source.connect(context.destination);
      source.start();
    } else if (elements[name]) {
      elements[name].currentTime = 0;
      elements[name].play().catch(function () {});
    }
  }

  function render(t) {
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? t.sound_on : t.sound_off;
  }

  function vibrate(pattern) {
    if (navigator.vibrate) { try { navigator.vibrate(pattern); } catch (e) { /* not allowed here */ } }
  }

  function line(entry, t) {
    return t.ticker_line.replace("{player}", entry.player).replace("{prize}", entry.prize);
  }

  // The last wins from the ledger, one line at a time; with reduced motion the line just changes.
  function ticker(url, t, request) {
    var box = document.getElementById("ticker");
    var text = document.getElementById("ticker-line");
    if (!box || !url) return;
    var entries = [], shown = -1;
    function ask() {
      if (document.hidden) return;
      request("GET", url).then(function (reply) {
        if (reply.status !== 200) return;
        entries = reply.body.winners || [];
        box.hidden = !entries.length;
        box.dataset.count = entries.length;
        if (entries.length && !text.textContent) next();
      }, function () {});
    }
    function next() {
      if (!entries.length) return;
      shown = (shown + 1) % entries.length;
      text.textContent = line(entries[shown], t);
      text.dataset.seq = entries[shown].seq;
    }
    ask();
    setInterval(ask, TICKER_EVERY);
    setInterval(next, TICKER_SHOW);
    document.addEventListener("visibilitychange", ask);
  }

  window.GameEffects = {
    // Wire the toggle; ``t`` holds the page's strings, ``soundBase`` the static folder of the sounds.
    init: function (t, soundBase) {
      button = document.getElementById("sound");
      base = soundBase;
      if (!button) return;
      render(t);
      button.addEventListener("click", function () {
        on = !on;
        if (on) unlock();
        render(t);
      });
      document.addEventListener("WeixinJSBridgeReady", function () { if (on) unlock(); });
    },
    // One tick of the animation (a segment, a cell or a symbol passing), never closer than TICK_GAP.
    tick: function () {
      var now = performance.now();
      if (now - lastTick < TICK_GAP) return;
      lastTick = now;
      play("tick");
    },
    result: function (win) {
      play(win ? "win" : "lose");
      vibrate(win ? [40, 60, 120] : 30);
    },
    ticker: ticker
  };
})();
