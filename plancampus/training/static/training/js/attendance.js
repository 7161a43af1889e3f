// The attendance grid (training/attendance.html): every tap is kept on this phone until the
// server has it.
//
// A tap is written to localStorage first — one entry per user, session and person, so the
// last tap wins — and then sent. While offline, or when a request fails, the entry stays: the
// row says it is not sent yet and a banner counts the marks waiting. They are sent again when
// the connection returns (the "online" event), after a failure (2 s, 4 s, 8 s… up to a
// minute), with "Send now" or Save, and whenever a grid is opened. Each request carries the
// phone's clock at the tap and at sending: the server dates the mark from the difference and
// keeps the newer of two marks of the same person, so a late tap never overwrites a
// colleague's later mark; the row then shows the mark that was kept.
(function () {
  "use strict";
  const grid = document.querySelector("form[data-attendance-grid]");
  if (!grid || !window.fetch || !window.URLSearchParams) return;

  const PREFIX = "plancampus:attendance:" + grid.dataset.user + ":";
  const SESSION = PREFIX + grid.dataset.session + ":";
  const REQUEST_TIMEOUT = 20000;
  const texts = {};
  grid.querySelectorAll("[data-texts] [data-text]").forEach(function (element) {
    texts[element.dataset.text] = element.textContent.trim();
  });
  const banner = grid.querySelector(".sync-banner");
  const part = function (name) {
    return banner.querySelector('[data-banner="' + name + '"]');
  };

  // localStorage, or this page's memory when the browser refuses it (private mode, full).
  const memory = {};
  const store = {
    get: function (key) {
      try {
        const value = localStorage.getItem(key);
        if (value !== null) return JSON.parse(value);
      } catch (error) {
        /* fall back on memory */
      }
      return memory[key] || null;
    },
    set: function (key, value) {
      memory[key] = value;
      try {
        localStorage.setItem(key, JSON.stringify(value));
      } catch (error) {
        /* memory keeps it while the page is open */
      }
    },
    remove: function (key) {
      delete memory[key];
      try {
        localStorage.removeItem(key);
      } catch (error) {
        /* nothing stored there */
      }
    },
    keys: function () {
      const found = new Set(Object.keys(memory));
      try {
        for (let index = 0; index < localStorage.length; index += 1) {
          found.add(localStorage.key(index));
        }
      } catch (error) {
        /* memory only */
      }
      return Array.from(found).filter(function (key) {
        return key.indexOf(PREFIX) === 0;
      });
    },
  };

  const enrolmentOf = function (key) {
    return key.slice(key.lastIndexOf(":") + 1);
  };
  const rowOf = function (key) {
    return key.indexOf(SESSION) === 0 ? document.getElementById("row-" + enrolmentOf(key)) : null;
  };

  function setState(key, state, message) {
    const row = rowOf(key);
    if (!row) return;
    row.classList.remove("is-pending", "is-sending", "is-saved", "is-kept", "is-refused");
    if (state) row.classList.add("is-" + state);
    const line = row.querySelector(".row-state");
    if (line) line.textContent = message || "";
    if (state === "saved") {
      setTimeout(function () {
        if (row.classList.contains("is-saved")) setState(key, "", "");
      }, 2500);
    }
  }

  function show(key, status) {
    const row = rowOf(key);
    if (!row) return;
    row.querySelectorAll("input[type=radio]").forEach(function (radio) {
      radio.checked = radio.value === status;
    });
  }

  function serverHas(key, status) {
    // The plain form (Save without JavaScript) writes only the rows that differ from this.
    const row = rowOf(key);
    const was = row && row.querySelector('input[name="was-' + enrolmentOf(key) + '"]');
    if (was) was.value = status;
  }

  let loggedOut = false;

  function updateBanner() {
    const count = store.keys().length;
    banner.hidden = count === 0;
    part("count").textContent = (texts.count || "__COUNT__").replace("__COUNT__", count);
    part("login").hidden = !loggedOut;
    part("offline").hidden = loggedOut || navigator.onLine !== false;
  }

  function markPending() {
    store.keys().forEach(function (key) {
      setState(key, "pending", texts.pending);
    });
  }

  function csrfToken() {
    // The cookie first: it is renewed when the user logs in again in another tab.
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const input = grid.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // Send one stored tap. "ok": done with it (saved, or refused for good); "retry": the
  // network or the server failed, keep it; "stop": logged out, keep it until a new login.
  async function send(key, entry) {
    setState(key, "sending", texts.sending);
    const controller = window.AbortController ? new AbortController() : null;
    const timer = controller ? setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT) : null;
    let response;
    try {
      response = await fetch(entry.url, {
        method: "POST",
        credentials: "same-origin",
        redirect: "manual",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
        body: new URLSearchParams({
          status: entry.status,
          tapped_at: String(entry.tapped),
          sent_at: String(Date.now()),
        }),
        signal: controller ? controller.signal : undefined,
      });
    } catch (error) {
      return "retry";
    } finally {
      if (timer) clearTimeout(timer);
    }
    if (response.type === "opaqueredirect" || response.status === 401) {
      loggedOut = true; // the session ended: the login page answered
      return "stop";
    }
    if (response.status >= 500 || response.status === 408 || response.status === 429) {
      return "retry";
    }
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (response.ok && data === null) return "retry"; // not our answer (a portal, a proxy)
    loggedOut = false;
    const current = store.get(key);
    const latest = current !== null && current.tapped === entry.tapped;
    if (latest) store.remove(key); // else a newer tap waits: it is sent next
    if (data && data.counter) {
      const counter = document.getElementById("marked-count");
      if (counter) counter.textContent = data.counter;
    }
    if (!latest) return "ok";
    if (response.ok) {
      show(key, data.status);
      serverHas(key, data.status);
      if (data.applied) {
        setState(key, "saved", texts.saved);
      } else {
        const name = data.marked_by;
        setState(key, "kept", name ? texts.kept.replace("__NAME__", name) : texts["kept-unnamed"]);
      }
    } else {
      // Refused for good (the cohort was closed, the person withdrawn, no longer allowed…):
      // the row goes back to what the server holds and says why.
      if (data && typeof data.status === "string") {
        show(key, data.status);
        serverHas(key, data.status);
      } else {
        const row = rowOf(key);
        const was = row && row.querySelector('input[name="was-' + enrolmentOf(key) + '"]');
        if (was) show(key, was.value); // the last status the server was known to hold
      }
      setState(key, "refused", (data && data.error) || texts.refused);
    }
    return "ok";
  }

  let sending = false;
  let again = false;
  let failures = 0;
  let retryTimer = null;

  async function flush() {
    if (sending) {
      again = true;
      return;
    }
    clearTimeout(retryTimer);
    retryTimer = null;
    if (navigator.onLine === false) {
      // Surely offline: nothing is tried until the "online" event.
      markPending();
      updateBanner();
      return;
    }
    sending = true;
    let outcome = "ok";
    try {
      for (const key of store.keys()) {
        const entry = store.get(key);
        if (!entry || !entry.url) {
          store.remove(key);
          continue;
        }
        outcome = await send(key, entry);
        updateBanner();
        if (outcome !== "ok") break;
      }
    } finally {
      sending = false;
    }
    if (outcome === "ok") {
      failures = 0;
    } else {
      markPending();
      if (outcome === "retry") {
        failures += 1;
        const delay = Math.min(60000, 2000 * Math.pow(2, failures - 1));
        retryTimer = setTimeout(flush, delay + Math.random() * 1000);
      }
    }
    updateBanner();
    if (again) {
      again = false;
      if (outcome === "ok") flush();
    }
  }

  function now() {
    failures = 0;
    flush();
  }

  grid.addEventListener("change", function (event) {
    const input = event.target;
    if (!input.matches || !input.matches("input[type=radio]")) return;
    const fieldset = input.closest("fieldset[data-tap-url]");
    if (!fieldset) return;
    const key = SESSION + fieldset.dataset.enrolment;
    store.set(key, { status: input.value, tapped: Date.now(), url: fieldset.dataset.tapUrl });
    setState(key, "pending", texts.pending);
    updateBanner();
    flush();
  });

  // Save sends what waits instead of posting the whole grid: every tap is already stored.
  grid.addEventListener("submit", function (event) {
    event.preventDefault();
    grid.querySelectorAll("fieldset[data-tap-url]").forEach(function (fieldset) {
      const key = SESSION + fieldset.dataset.enrolment;
      const checked = fieldset.querySelector("input[type=radio]:checked");
      const was = fieldset.querySelector('input[name^="was-"]');
      if (checked && was && checked.value !== was.value && !store.get(key)) {
        store.set(key, { status: checked.value, tapped: Date.now(), url: fieldset.dataset.tapUrl });
      }
    });
    now();
  });
  part("retry").addEventListener("click", now);
  window.addEventListener("online", now);
  window.addEventListener("offline", function () {
    markPending();
    updateBanner();
  });
  window.addEventListener("storage", updateBanner);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) now();
  });

  // Opening the grid: show this session's waiting taps on their rows, then send them all.
  grid.querySelector('[data-hint="plain"]').hidden = true;
  grid.querySelector('[data-hint="offline-ready"]').hidden = false;
  store.keys().forEach(function (key) {
    const entry = store.get(key);
    if (entry && rowOf(key)) {
      show(key, entry.status);
      setState(key, "pending", texts.pending);
    }
  });
  updateBanner();
  flush();
})();
