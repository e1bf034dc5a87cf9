/* What every game shares: the server's answers, the state screens, the result, the panels.
   The browser decides nothing: it asks POST /draw and shows what the server said. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("game-data").textContent);
  var t = data.t;
  var root = document.getElementById("game");
  var reduced = !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  // Server time minus browser time, so countdowns follow the server's clock.
  var skew = Date.parse(data.now) - Date.now();
  var RETRY_DELAYS = [400, 1000, 2000];
  var game = null;
  var player = null;
  var pending = null;
  var playKey = null;
  var countdown = null;
  // Sound, vibration and the ticker (effects.js) load once the game is up, off its critical path;
  // until then a tick or a result simply makes no sound.
  var effects = { tick: function () {}, result: function () {} };

  function $(id) { return document.getElementById(id); }

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (match, key) { return key in values ? values[key] : match; });
  }

  function show(el, visible) { el.hidden = !visible; }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
  }

  function request(method, url, body, headers) {
    // GETs keep the default cache mode so the page's preload of /me is reused.
    var init = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") init.cache = "no-store";
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    Object.keys(headers || {}).forEach(function (name) { init.headers[name] = headers[name]; });
    return fetch(url, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        return { status: response.status, body: json };
      });
    });
  }

  function apiError(reply) {
    var error = (reply.body && reply.body.error) || {};
    return { api: true, status: reply.status, code: error.code || "error", details: error };
  }

  // One attempt chain for one play: the same Idempotency-Key on every retry, so a lost
  // response replays the same draw instead of spending a second play.
  async function attempt(key) {
    for (var i = 0; ; i++) {
      var reply = null;
      try {
        reply = await request("POST", data.urls.draw, {}, { "Idempotency-Key": key });
      } catch (networkError) {
        reply = null;
      }
      if (reply && reply.status === 200) return reply.body;
      var transient = !reply || reply.status >= 500;
      if (!transient) throw apiError(reply);
      if (i >= RETRY_DELAYS.length) throw { network: true };
      await sleep(RETRY_DELAYS[i]);
    }
  }

  function draw() {
    if (pending) return pending;
    if (!playKey) playKey = newKey();
    root.dataset.key = playKey;
    pending = attempt(playKey).then(function (result) {
      pending = null;
      playKey = null;
      // The draw answers with the player's counters only; keep what /me said about the rest.
      player = Object.assign({}, player, result.player);
      renderPlayer();
      return result;
    }, function (error) {
      pending = null;
      // A refused play consumed nothing; only a lost answer must be asked again with the same key.
      if (!error.network) playKey = null;
      throw error;
    });
    return pending;
  }

  function setState(state) { root.dataset.state = state; }

  function screen(state, title, text, action) {
    setState(state);
    show($("stage"), false);
    show($("result"), false);
    show($("screen"), true);
    $("screen-title").textContent = title;
    $("screen-text").textContent = text || "";
    var qr = $("screen-qr");
    show(qr, state === "follow" && !!data.follow_qr);
    if (state === "follow" && data.follow_qr) qr.src = data.follow_qr;
    var button = $("screen-action");
    show(button, !!action);
    if (action) {
      button.textContent = action.label;
      button.onclick = action.run;
    }
    announce(title);
  }

  function clock(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var d = Math.floor(s / 86400);
    var hms = [Math.floor(s / 3600) % 24, Math.floor(s / 60) % 60, s % 60].map(function (n) { return (n < 10 ? "0" : "") + n; }).join(":");
    return (d ? d + "d " : "") + hms;
  }

  function localTime(iso) {
    var lang = document.documentElement.lang;
    return new Date(iso).toLocaleString(lang, { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" });
  }

  function notStarted(startsAt) {
    screen("scheduled", t.scheduled, "");
    clearTimeout(countdown);
    (function tick() {
      var left = Date.parse(startsAt) - (Date.now() + skew);
      if (left <= 0) { window.location.reload(); return; }
      $("screen-text").textContent = fmt(t.starts_in, { time: clock(left) });
      countdown = setTimeout(tick, 1000 - ((Date.now() + skew) % 1000));
    })();
  }

  function reloadAction(label) { return { label: label, run: function () { window.location.reload(); } }; }

  function noPlays() {
    if (player && player.plays_left_total === 0) { screen("no_plays", t.no_plays_total, ""); return; }
    screen("no_plays", t.no_plays, player && player.next_play_at ? fmt(t.more_at, { time: localTime(player.next_play_at) }) : "");
  }

  // The screen for a refused or failed play; ``retry`` plays again with the same key.
  function fail(error, retry) {
    if (error && error.network) {
      screen("network", t.network, "", { label: t.retry, run: function () { ready(); retry(); } });
      return;
    }
    var code = error && error.code;
    if (code === "not_started") notStarted(data.starts_at);
    else if (code === "paused") screen("paused", t.paused, "", reloadAction(t.retry));
    else if (code === "ended") screen("ended", t.ended, "");
    else if (code === "follow_required") screen("follow", t.follow, t.follow_hint, reloadAction(t.followed));
    else if (code === "login_required") screen("login", t.login, "", reloadAction(t.retry));
    else if (code === "limit_reached") refreshMe().then(noPlays, noPlays);
    else if (code === "rate_limited") { announce(t.rate_limited); game.reset(); }
    else screen("error", t.error, "", reloadAction(t.retry));
  }

  function announce(text) {
    var live = $("announce");
    live.textContent = "";
    // A fresh text node after a tick makes screen readers speak repeated messages too.
    setTimeout(function () { live.textContent = text; }, 50);
  }

  function renderPlayer() {
    if (!player) return;
    var parts = [];
    if (player.plays_left_today !== null && player.plays_left_today !== undefined) parts.push(fmt(t.plays_today, { n: player.plays_left_today }));
    else if (player.plays_left_total !== null && player.plays_left_total !== undefined) parts.push(fmt(t.plays_total, { n: player.plays_left_total }));
    $("plays").textContent = parts.join(" · ");
    if (player.client_seed && document.activeElement !== $("client-seed")) $("client-seed").value = player.client_seed;
    if (player.next_nonce !== undefined) $("nonce").textContent = player.next_nonce;
    if (player.server_seed_hash) $("seed-hash").textContent = player.server_seed_hash;
    if (player.status) show($("verify-link"), player.status === "ended");
  }

  function outOfPlays() {
    return !!player && (player.plays_left_today === 0 || player.plays_left_total === 0);
  }

  function refreshMe() {
    return request("GET", data.urls.me).then(function (reply) {
      if (reply.status !== 200) throw apiError(reply);
      player = reply.body;
      renderPlayer();
      return player;
    });
  }

  function claimUrl(code) { return data.coupons + encodeURIComponent(code) + "/claim"; }

  // What the winner does next comes from the prize's claim kind (its ``step``), never from its name.
  function couponView(result) {
    var coupon = result.coupon;
    show($("coupon"), !!coupon);
    if (!coupon) return;
    var isCode = coupon.step === "show_in_store";
    $("coupon-label").textContent = isCode ? t.code_label : "";
    $("coupon-code").textContent = isCode ? coupon.code : "";
    show($("coupon-code"), isCode);
    show($("coupon-qr"), isCode);
    if (isCode) $("coupon-qr").src = data.coupons + encodeURIComponent(coupon.code) + ".png";
    var add = $("add-card");
    show(add, coupon.step === "add_to_wallet");
    add.textContent = t.add_card;
    add.onclick = function () { addCard(coupon); };
    var claim = $("claim-link");
    var other = !isCode && coupon.step !== "add_to_wallet" && coupon.step !== "none";
    show(claim, other);
    if (other) { claim.textContent = t["step_" + coupon.step] || t.claim; claim.href = claimUrl(coupon.code); }
  }

  // The card list is signed by the server for this follower; the JS-SDK adds it to the wallet.
  function addCard(coupon) {
    if (!(window.wx && window.wx.addCard)) { $("card-msg").textContent = t.card_unavailable; return; }
    request("GET", data.coupons + encodeURIComponent(coupon.code) + "/card-ext").then(function (reply) {
      if (reply.status !== 200) { $("card-msg").textContent = t.error; return; }
      window.wx.addCard({
        cardList: reply.body.cardList,
        success: function () { $("card-msg").textContent = t.card_added; loadPrizes(); }
      });
    }, function () { $("card-msg").textContent = t.network; });
  }

  // The result screen, after the game has finished revealing it.
  function showResult(result) {
    var prize = result.prize;
    var win = !!result.win;
    setState(win ? "won" : "lost");
    $("result-title").textContent = win ? t.win_title : t.lose_title;
    var consolation = !win && prize.coupon_kind !== "none";
    var name = consolation ? fmt(t.consolation, { name: prize.name }) : prize.name;
    $("result-name").textContent = name;
    // A plain "thanks for playing" tier would only repeat the title.
    show($("result-name"), name !== $("result-title").textContent);
    var image = $("result-image");
    show(image, !!prize.image);
    if (prize.image) { image.src = prize.image; image.alt = prize.name; }
    couponView(result);
    var again = $("again");
    show(again, !outOfPlays());
    again.textContent = t.again;
    again.onclick = function () { ready(); };
    show($("result"), true);
    $("result").dataset.seq = result.seq;
    $("result").dataset.tier = result.awarded_tier;
    announce(fmt(win ? t.announce_win : t.announce_lose, { name: prize.name }));
    effects.result(win);
    if (win) loadPrizes();
    if (outOfPlays()) $("plays").textContent = player.plays_left_total === 0 ? t.no_plays_total : t.no_plays;
  }

  // One play of an animated game (the grid, the slot). ``begin()`` notes where the game rests;
  // then it moves with ``cruise(elapsed)``
  // while the server decides; once it has answered and ``spinUp`` ms have passed, ``land(result,
  // now, elapsed)`` plans the stop and ``stopping(now)`` moves until it returns true; then the
  // result shows. Frames follow elapsed time (requestAnimationFrame may be throttled). With
  // reduced motion ``jump(result)`` puts the game at rest on the result at once. A refused or
  // lost draw puts the stage back to rest and shows why.
  function spin(game) {
    var stage = game.stage;
    if (stage.dataset.state === "running") return;
    game.begin();
    stage.dataset.state = "running";
    game.button.disabled = true;
    show($("result"), false);
    setState("playing");
    var asked = draw(), answer = null, failure = null;
    function done(result) {
      stage.dataset.state = "landed";
      game.button.disabled = false;
      showResult(result);
    }
    function failed(error) {
      stage.dataset.state = "rest";
      game.button.disabled = false;
      fail(error, function () { spin(game); });
    }
    if (reduced) {
      asked.then(function (result) { game.jump(result); done(result); }, failed);
      return;
    }
    asked.then(function (result) { answer = result; }, function (error) { failure = error; });
    var start = performance.now(), landing = false;
    function frame(now) {
      if (failure) { failed(failure); return; }
      if (!landing && answer && now - start >= game.spinUp) {
        landing = true;
        game.land(answer, now, now - start);
      }
      if (landing && game.stopping(now)) { done(answer); return; }
      if (!landing) game.cruise(now - start);
      window.requestAnimationFrame(frame);
    }
    window.requestAnimationFrame(frame);
  }

  function ready() {
    // The moment the game first becomes playable, for the performance budget (see the tests).
    if (window.performance && performance.mark && !performance.getEntriesByName("game-ready").length) {
      performance.mark("game-ready");
    }
    clearTimeout(countdown);
    show($("screen"), false);
    show($("result"), false);
    show($("stage"), true);
    setState("ready");
    if (game) game.reset();
  }


  // One won prize: its name, its state, and a link to what to do next on its claim page.
  function prizeItem(prize) {
    var item = document.createElement("li");
    var claim = prize.claim;
    var coupon = prize.coupon;
    var parts = [prize.name];
    if (claim && claim.step === "show_in_store") parts.push(coupon.code);
    parts.push(claim ? (t["claim_" + claim.state] || claim.state) : t.claim_contact);
    var text = document.createElement("span");
    text.textContent = parts.join(" · ");
    item.appendChild(text);
    if (claim && claim.step !== "none" && coupon) {
      var next = document.createElement("a");
      next.className = "claim-next";
      next.href = claimUrl(coupon.code);
      next.textContent = t["step_" + claim.step] || t.claim;
      item.appendChild(next);
    }
    return item;
  }

  function loadPrizes() {
    return request("GET", data.urls.prizes).then(function (reply) {
      if (reply.status !== 200) return;
      var list = $("prizes");
      list.textContent = "";
      var prizes = reply.body.prizes || [];
      if (!prizes.length) {
        var empty = document.createElement("li");
        empty.textContent = t.my_prizes_empty;
        list.appendChild(empty);
      }
      prizes.forEach(function (prize) { list.appendChild(prizeItem(prize)); });
    }, function () {});
  }

  function saveSeed(event) {
    event.preventDefault();
    var value = $("client-seed").value.trim();
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(value)) { $("seed-msg").textContent = t.seed_invalid; return; }
    request("PUT", data.urls["client-seed"], { client_seed: value }).then(function (reply) {
      if (reply.status !== 200) { $("seed-msg").textContent = t.seed_invalid; return; }
      player = reply.body;
      renderPlayer();
      $("seed-msg").textContent = t.seed_saved;
    }, function () { $("seed-msg").textContent = t.network; });
  }

  // The first screen: the server's schedule, then the follower's plays from /me.
  function open() {
    if (data.state === "follow") { screen("follow", t.follow, t.follow_hint, reloadAction(t.followed)); return; }
    if (data.state === "scheduled") { notStarted(data.starts_at); return; }
    if (data.state === "paused") { screen("paused", t.paused, "", reloadAction(t.retry)); return; }
    if (data.state === "ended") { screen("ended", t.ended, ""); return; }
    refreshMe().then(function (me) {
      if (me.status === "ended") screen("ended", t.ended, "");
      else if (me.status === "paused") screen("paused", t.paused, "", reloadAction(t.retry));
      else if (me.status === "scheduled") notStarted(me.starts_at || data.starts_at);
      else if (outOfPlays()) noPlays();
      else if (me.out_of_prizes) screen("out_of_prizes", t.out_of_prizes, "");
      else ready();
    }, function (error) {
      if (error && error.api && error.status < 500) fail(error, open);
      else screen("network", t.network, "", { label: t.retry, run: open });
    });
  }

  // wx.config, signed by the server for this page, once the async JS-SDK script has run
  // (it may run before or after this one, so look for it rather than wait for its load event).
  function configureWx(tries) {
    if (!document.querySelector("script[data-jssdk]")) return;
    if (!(window.wx && window.wx.config)) {
      if (tries < 100) setTimeout(function () { configureWx(tries + 1); }, 150);
      return;
    }
    var page = location.href.split("#")[0];
    request("GET", data.urls["wx-config"] + "?url=" + encodeURIComponent(page)).then(function (reply) {
      if (reply.status !== 200) return;
      window.wx.config(reply.body);
      shareAsChannel();
    }, function () {});
  }

  // The share card: the campaign's title, description and image. A link shared from the page (to a chat or
  // Moments) carries ch=share and the sharer's pseudonym: the results count it as the share channel.
  // Sharing earns nothing (no extra draws): WeChat's rules forbid rewarding it.
  function shareAsChannel() {
    var share = data.share;
    if (!share || !window.wx.ready) return;
    window.wx.ready(function () {
      var opts = { title: share.title, desc: share.desc, link: share.link, imgUrl: share.imgUrl };
      if (window.wx.updateAppMessageShareData) window.wx.updateAppMessageShareData(opts);
      if (window.wx.updateTimelineShareData) window.wx.updateTimelineShareData({ title: share.title, link: share.link, imgUrl: share.imgUrl });
    });
  }

  function loadEffects() {
    var button = $("sound");
    var script = document.createElement("script");
    script.src = button.getAttribute("data-script");
    script.onload = function () {
      effects = window.GameEffects;
      effects.init(t, data.sounds);
      effects.ticker(data.urls.winners, t, request);
    };
    document.head.appendChild(script);
  }

  window.Game = {
    data: data,
    t: t,
    reduced: reduced,
    fmt: fmt,
    draw: draw,
    fail: fail,
    // A new play starts: the previous result goes away.
    playing: function () {
      show($("result"), false);
      setState("playing");
    },
    showResult: showResult,
    spin: spin,
    announce: announce,
    // The animation's beat: a segment, a cell or a symbol went past (a tick, when sound is on).
    // Without motion there is no animation to follow, so no ticks either.
    tick: function () { if (!reduced) effects.tick(); },
    // A game registers itself: ``impl.reset()`` puts its stage back to rest for a new play.
    start: function (impl) {
      game = impl;
      $("seed-form").addEventListener("submit", saveSeed);
      $("prizes-panel").addEventListener("toggle", loadPrizes);
      open();
      configureWx(0);
      loadEffects();
      // The fairness panel wants /me on every screen; the live screen has already asked.
      if (data.state !== "live") refreshMe().catch(function () {});
    }
  };
})();
