// The in-browser verifier: recomputes draws with WebCrypto (HMAC-SHA256) and BigInt, per docs/fairness.md.
(function () {
  "use strict";
  const root = document.getElementById("verifier");
  const $ = (id) => document.getElementById(id);
  const enc = new TextEncoder();
  let fairness = null;
  let ledger = [];

  const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");

  async function sha256Hex(text) {
    return hex(await crypto.subtle.digest("SHA-256", enc.encode(text)));
  }

  async function hmac(seed, message) {
    const key = await crypto.subtle.importKey("raw", enc.encode(seed), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(message)));
  }

  function first8(bytes) {
    let u = 0n;
    for (let i = 0; i < 8; i++) u = (u << 8n) | BigInt(bytes[i]);
    return u;
  }

  function tierFor(prizes, pick) {
    let cumulative = 0n;
    for (const p of prizes) {
      cumulative += BigInt(p.weight);
      if (cumulative > pick) return p.tier;
    }
    return null;
  }

  function governing(seq) {
    // The version with the greatest from_seq not after seq; weights never change between versions.
    return fairness.versions.filter((v) => v.from_seq <= seq).pop() || fairness.versions[0];
  }

  async function recompute(event) {
    event.preventDefault();
    const seed = $("server-seed").value.trim();
    const clientSeed = $("client-seed").value.trim();
    if ((await sha256Hex(seed)) !== fairness.server_seed_hash) {
      $("status").textContent = "✗ SHA-256(server seed) ≠ server_seed_hash";
      return;
    }
    const prizes = governing(1).rules.prizes;
    const total = prizes.reduce((sum, p) => sum + BigInt(p.weight), 0n);
    const body = $("results").querySelector("tbody");
    body.textContent = "";
    const from = Number($("nonce-from").value), to = Math.min(Number($("nonce-to").value), from + 999);
    for (let nonce = from; nonce <= to; nonce++) {
      const u = first8(await hmac(seed, `${clientSeed}:${nonce}`));
      const pick = (u * total) >> 64n;
      const tier = tierFor(prizes, pick);
      const line = ledger.find((l) => l.client_seed === clientSeed && l.nonce === nonce);
      const recorded = line ? `${line.drawn_tier} ${line.drawn_tier === tier || line.reason === "moment" ? "✓" : "✗"}` : "";
      const row = body.insertRow();
      row.className = "verify-row";
      for (const text of [nonce, u.toString(), pick.toString(), tier, recorded]) row.insertCell().textContent = text;
    }
    $("results").hidden = false;
    $("status").textContent = "✓ server seed matches its hash";
  }

  async function start() {
    fairness = await (await fetch(root.dataset.fairness)).json();
    $("seed-hash").textContent = fairness.server_seed_hash;
    if (fairness.revealed) {
      $("server-seed").value = fairness.server_seed;
      const response = await fetch(root.dataset.ledger);
      if (response.ok) ledger = (await response.text()).split("\n").filter(Boolean).map((l) => JSON.parse(l));
    }
    const me = await fetch(root.dataset.me, { headers: { Accept: "application/json" } });
    if (me.ok) $("client-seed").value = (await me.json()).client_seed;
    $("verify-form").addEventListener("submit", recompute);
    root.dataset.ready = "1";
  }

  start();
})();
