// The reference victim page behind the printed QR code (/l#t=<token>).
//
// A working example for web teams, written against the public contract only
// (openapi/openapi.yaml; docs/integration/web.md). No framework and nothing from
// elsewhere: the page's Content-Security-Policy allows only this origin, no inline
// script or style, and Trusted Types with one policy ("leaflet-html").
//
// What it keeps: the QR token (from the URL fragment, which no server ever sees)
// and, after verification, the victim session token, both in memory only; never
// in storage, a cookie or a URL. Reloading the page forgets the session.
"use strict";

(() => {
  const HELPLINE = "0808 157 0100";
  const LANGUAGE_NAMES = { en: "English", cy: "Cymraeg (Welsh)" };

  const TOKEN_PROBLEMS = {
    qr_token_expired: "This QR code has expired.",
    qr_token_revoked: "This QR code has been withdrawn.",
    qr_token_invalid: "We could not read this QR code.",
    leaflet_not_found: "This leaflet is no longer published.",
  };
  const WHAT_TO_DO = `Ask the officer in charge of your case for a new leaflet, or call the helpline on ${HELPLINE}.`;

  // The tags the API's sanitiser allows (docs/integration/leaflets.md); anything
  // else is dropped here too, keeping its text. Links: https:, mailto:, tel:, #section.
  const ALLOWED_TAGS = new Set(["P", "H2", "H3", "H4", "UL", "OL", "LI", "STRONG", "EM", "A", "BR", "BLOCKQUOTE", "CODE"]);
  const SAFE_HREF = /^(?:https:|mailto:|tel:|#[a-z0-9-]+$)/i;

  const state = {
    qrToken: null,
    session: null,
    timelineNext: null,
    preferencesEtag: null,
  };

  const $ = (id) => document.getElementById(id);

  // One Trusted Types policy. The API already sanitised the HTML; the policy only
  // lets DOMParser read it, and copyAllowed() below builds the nodes we insert.
  const leafletPolicy = window.trustedTypes
    ? window.trustedTypes.createPolicy("leaflet-html", { createHTML: (html) => html })
    : { createHTML: (html) => html };

  // ---------------------------------------------------------------- the API

  async function api(method, path, { body, token, headers = {} } = {}) {
    const sent = { Accept: "application/json, application/problem+json", ...headers };
    if (body !== undefined) sent["Content-Type"] = sent["Content-Type"] || "application/json";
    if (token) sent.Authorization = `Bearer ${token}`;
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: sent,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
        cache: "no-store",
      });
    } catch {
      return { ok: false, status: 0, data: { code: "network_error" }, headers: new Headers() };
    }
    const type = response.headers.get("content-type") || "";
    const data = type.includes("json") ? await response.json() : null;
    return { ok: response.ok, status: response.status, data: data || {}, headers: response.headers };
  }

  function tryAgainLater(result) {
    const seconds = Number(result.headers.get("retry-after")) || 60;
    return `You have tried too many times. Wait ${seconds} seconds, then try again.`;
  }

  function generalProblem(result) {
    if (result.status === 0) return "We could not reach the service. Check your connection and try again.";
    if (result.status === 429) return tryAgainLater(result);
    return `Something went wrong on our side. Try again later, or call the helpline on ${HELPLINE}.`;
  }

  // ---------------------------------------------------------------- small helpers

  function element(tag, text, attributes = {}) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    return node;
  }

  function show(id, visible = true) {
    $(id).hidden = !visible;
  }

  function say(text) {
    $("status").textContent = text;
  }

  function telHref(phone) {
    return `tel:${phone.replace(/[^\d+]/g, "")}`;
  }

  function formatDate(value, withTime = false) {
    if (!value) return "";
    const date = new Date(value.length === 10 ? `${value}T12:00:00Z` : value);
    if (Number.isNaN(date.getTime())) return value;
    const options = withTime ? { dateStyle: "long", timeStyle: "short" } : { dateStyle: "long" };
    return new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "Europe/London" }).format(date);
  }

  function showResult(id, text, kind) {
    const node = $(id);
    node.textContent = text;
    node.className = `panel panel-${kind}`;
    node.hidden = false;
  }

  // ---------------------------------------------------------------- the leaflet

  function copyAllowed(source, target) {
    for (const node of source.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) {
        target.append(node.textContent);
      } else if (node.nodeType === Node.ELEMENT_NODE) {
        if (!ALLOWED_TAGS.has(node.tagName)) {
          copyAllowed(node, target);
          continue;
        }
        // Each section sits under our own h2, so its headings move one level down.
        const level = /^H[2-4]$/.test(node.tagName) ? Number(node.tagName[1]) + 1 : 0;
        const copy = document.createElement(level ? `h${level}` : node.tagName.toLowerCase());
        if (node.tagName === "A") {
          const href = node.getAttribute("href") || "";
          if (SAFE_HREF.test(href)) copy.setAttribute("href", href);
          if (!href.startsWith("#")) copy.setAttribute("rel", "noopener noreferrer");
        }
        copyAllowed(node, copy);
        target.append(copy);
      }
    }
  }

  function sectionContent(html) {
    const parsed = new DOMParser().parseFromString(leafletPolicy.createHTML(html), "text/html");
    const fragment = document.createDocumentFragment();
    copyAllowed(parsed.body, fragment);
    return fragment;
  }

  function renderLeaflet(resolved) {
    const leaflet = resolved.leaflet;
    $("leaflet").lang = leaflet.language;
    document.title = leaflet.title;
    $("leaflet-title").textContent = leaflet.title;
    $("leaflet-summary").textContent = leaflet.summary || "";
    const note = $("sample-note");
    note.textContent = leaflet.sample_note || "";
    note.hidden = !leaflet.sample;

    const contents = $("contents-list");
    const sections = $("leaflet-sections");
    contents.replaceChildren();
    sections.replaceChildren();
    for (const section of leaflet.sections) {
      const link = element("a", section.heading, { href: `#${section.key}` });
      const entry = element("li");
      entry.append(link);
      contents.append(entry);
      const block = element("section", null, { "aria-labelledby": section.key });
      block.append(element("h2", section.heading, { id: section.key }), sectionContent(section.html));
      sections.append(block);
    }
    renderLanguages(leaflet.languages, leaflet.language);
    renderSupport(resolved.support_services);
    show("leaflet");
  }

  function renderLanguages(languages, current) {
    const select = $("language-select");
    select.replaceChildren();
    for (const code of languages) {
      const option = element("option", LANGUAGE_NAMES[code] || code, { value: code, lang: code });
      option.selected = code === current;
      select.append(option);
    }
    show("language-form", languages.length > 1);
  }

  function renderSupport(services) {
    const list = $("support-list");
    list.replaceChildren();
    for (const service of services) {
      const item = element("li");
      item.append(element("h3", service.name), element("p", service.organization));
      if (service.description) item.append(element("p", service.description));
      for (const phone of service.phones) {
        const line = element("p", "Phone: ");
        line.append(element("a", phone, { href: telHref(phone) }));
        item.append(line);
      }
      if (service.url && service.url.startsWith("https:")) {
        const line = element("p");
        line.append(element("a", `Website of ${service.name}`, { href: service.url, rel: "noopener noreferrer" }));
        item.append(line);
      }
      list.append(item);
    }
    show("support", services.length > 0);
  }

  function showTokenProblem(result) {
    let message;
    if (result.status === 429) message = tryAgainLater(result);
    else if (result.status === 0 || result.status >= 500) message = generalProblem(result);
    else message = TOKEN_PROBLEMS[result.data.code] || TOKEN_PROBLEMS.qr_token_invalid;
    $("problem-message").textContent = result.status === 429 || result.status === 0 ? message : `${message} ${WHAT_TO_DO}`;
    say("");
    show("leaflet", false);
    show("support", false);
    show("problem");
    $("problem-heading").focus();
  }

  async function openLeaflet(language) {
    say("Opening your leaflet…");
    if (!state.qrToken) {
      showTokenProblem({ status: 404, data: { code: "qr_token_invalid" } });
      return;
    }
    const body = { token: state.qrToken };
    if (language) body.language = language;
    const result = await api("POST", "/v1/qr-tokens/resolve", { body });
    if (!result.ok) {
      showTokenProblem(result);
      return;
    }
    renderLeaflet(result.data);
    $("updates-how").textContent = result.data.case_updates.available
      ? "You can see the latest news about your case here. You need your crime reference number, your date of birth and, if we gave you one, your PIN."
      : "If you have a crime reference number, you can see the latest news about your case here. You also need your date of birth and, if we gave you one, your PIN.";
    show("updates", !state.session);
    say("");
    if (language) $("leaflet-title").focus();
  }

  // ---------------------------------------------------------------- verification

  function dateOfBirth(form) {
    const [day, month, year] = ["dob_day", "dob_month", "dob_year"].map((name) => form.elements[name].value.trim());
    if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) return null;
    const iso = `${year}-${month.padStart(2, "0")}-${day.padStart(2, "0")}`;
    const date = new Date(`${iso}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso) ? iso : null;
  }

  function verifyError(text, field) {
    const node = $("verify-error");
    node.textContent = text;
    node.hidden = !text;
    if (field) field.focus();
  }

  async function verify(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const reference = form.elements.crime_reference.value.trim();
    if (!reference) return verifyError("Enter your crime reference number.", form.elements.crime_reference);
    const born = dateOfBirth(form);
    if (!born) return verifyError("Enter your date of birth as a day, month and year, for example 27 3 1985.", form.elements.dob_day);
    verifyError("");
    say("Checking your details…");

    const page = await api("POST", "/l/session-token");
    if (!page.ok) {
      say("");
      return verifyError(page.data.code === "case_updates_unavailable" ? page.data.detail : generalProblem(page));
    }
    const body = { crime_reference: reference, date_of_birth: born };
    const pin = form.elements.pin.value.trim();
    if (pin) body.pin = pin;
    const result = await api("POST", "/v1/victim-sessions", { body, token: page.data.access_token });
    form.elements.pin.value = "";
    say("");
    if (result.status === 401 || result.status === 403) {
      return verifyError(`We could not match those details. Check them and try again. If this keeps happening, call the helpline on ${HELPLINE}.`);
    }
    if (!result.ok) return verifyError(generalProblem(result));
    state.session = result.data.session_token;
    form.reset();
    await loadCase();
  }

  function sessionEnded() {
    state.session = null;
    show("case", false);
    show("updates");
    verifyError("For your safety your session has ended. Enter your details again to see your case.", $("crime-reference"));
  }

  // ---------------------------------------------------------------- the case

  function addSummary(list, term, ...values) {
    const shown = values.filter((value) => value !== null && value !== undefined && value !== "");
    if (!shown.length) return;
    const detail = element("dd");
    shown.forEach((value, index) => {
      if (index) detail.append(element("br"));
      detail.append(value);
    });
    list.append(element("dt", term), detail);
  }

  function link(text, href) {
    return element("a", text, { href });
  }

  function renderCase(data) {
    const list = $("case-summary");
    list.replaceChildren();
    addSummary(list, "Status", data.status_text);
    addSummary(list, "Crime reference", data.crime_reference);
    const officer = data.officer;
    if (officer) {
      addSummary(
        list,
        "Officer in charge",
        [officer.rank, officer.name].filter(Boolean).join(" "),
        officer.team,
        officer.work_phone ? link(officer.work_phone, telHref(officer.work_phone)) : null,
        officer.work_email ? link(officer.work_email, `mailto:${officer.work_email}`) : null,
      );
    }
    addSummary(list, "Next update due by", formatDate(data.next_update_due));
    const hearing = data.upcoming_hearing;
    if (hearing) addSummary(list, "Next court hearing", formatDate(hearing.starts_at, true), hearing.court_name);
    if (data.enhanced_rights && data.enhanced_rights.enhanced) addSummary(list, "Your rights", data.enhanced_rights.note);
    for (const referral of data.referrals || []) addSummary(list, referral.service_name, referral.status_text);

    const steps = $("case-next-steps");
    steps.replaceChildren(...(data.next_steps || []).map((step) => element("li", step)));
  }

  function timelineText(item) {
    return item.text || item.summary || item.description || item.title || "";
  }

  async function loadTimeline(more) {
    const path = more && state.timelineNext ? state.timelineNext : "/v1/me/timeline";
    const result = await api("GET", path, { token: state.session });
    if (result.status === 401) return sessionEnded();
    if (!result.ok) return;
    const list = $("timeline");
    if (!more) list.replaceChildren();
    for (const item of result.data.items) {
      const entry = element("li");
      const when = item.occurred_at || item.at || item.created_at;
      if (when) entry.append(element("time", formatDate(when, true), { datetime: when }));
      entry.append(timelineText(item));
      list.append(entry);
    }
    if (!list.children.length) list.append(element("li", "Nothing yet."));
    state.timelineNext = result.data.next || null;
    show("timeline-more", Boolean(state.timelineNext));
  }

  async function loadPreferences() {
    const result = await api("GET", "/v1/me/preferences", { token: state.session });
    if (!result.ok) return;
    state.preferencesEtag = result.headers.get("etag");
    const form = $("preferences-form");
    const data = result.data;
    if (data.preferred_channel) form.elements.preferred_channel.value = data.preferred_channel;
    if (data.update_frequency) form.elements.update_frequency.value = data.update_frequency;
    form.elements.safe_contact_times.value = data.safe_contact_times || "";
    form.elements.opted_out.checked = Boolean(data.opted_out);
  }

  function localInputValue(date) {
    const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
    return shifted.toISOString().slice(0, 16);
  }

  function suggestCallbackTimes() {
    const start = new Date();
    start.setMinutes(0, 0, 0);
    start.setHours(start.getHours() + 2);
    const end = new Date(start.getTime() + 2 * 3600000);
    $("callback-from").value = localInputValue(start);
    $("callback-to").value = localInputValue(end);
  }

  async function loadCase() {
    say("Loading your case…");
    const result = await api("GET", "/v1/me/case", { token: state.session });
    if (result.status === 401) return sessionEnded();
    if (!result.ok) {
      say("");
      return verifyError(generalProblem(result));
    }
    renderCase(result.data);
    await Promise.all([loadTimeline(false), loadPreferences()]);
    suggestCallbackTimes();
    show("updates", false);
    show("case");
    say("");
    $("case-heading").focus();
  }

  // ---------------------------------------------------------------- callbacks and preferences

  async function requestCallback(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const from = new Date(form.elements.from.value);
    const to = new Date(form.elements.to.value);
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || to <= from) {
      showResult("callback-result", "Choose a time to call from, and a later time to call until.", "warning");
      return form.elements.from.focus();
    }
    const body = {
      preferred_times: [{ from: from.toISOString(), to: to.toISOString() }],
      reason: form.elements.reason.value,
    };
    const note = form.elements.note.value.trim();
    if (note) body.note = note;
    const result = await api("POST", "/v1/me/callback-requests", {
      body,
      token: state.session,
      headers: { "Idempotency-Key": crypto.randomUUID() },
    });
    if (result.status === 401) return sessionEnded();
    if (!result.ok) {
      const detail = result.status === 422 ? "Check the times you chose and try again." : generalProblem(result);
      return showResult("callback-result", `We could not send your request. ${detail}`, "warning");
    }
    form.elements.note.value = "";
    showResult(
      "callback-result",
      `Thank you. We will call you back between ${formatDate(body.preferred_times[0].from, true)} and ${formatDate(body.preferred_times[0].to, true)}.`,
      "success",
    );
  }

  async function savePreferences(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const body = {
      preferred_channel: form.elements.preferred_channel.value,
      update_frequency: form.elements.update_frequency.value,
      safe_contact_times: form.elements.safe_contact_times.value.trim() || null,
      opted_out: form.elements.opted_out.checked,
    };
    const result = await api("PATCH", "/v1/me/preferences", {
      body,
      token: state.session,
      headers: { "If-Match": state.preferencesEtag || "*" },
    });
    if (result.status === 401) return sessionEnded();
    if (result.status === 412) {
      await loadPreferences();
      return showResult("preferences-result", "Your choices were changed elsewhere. Check them and save again.", "warning");
    }
    if (!result.ok) {
      const detail = result.status === 422 ? "Check your choices and try again." : generalProblem(result);
      return showResult("preferences-result", `We could not save your choices. ${detail}`, "warning");
    }
    state.preferencesEtag = result.headers.get("etag");
    showResult("preferences-result", "Saved. We will contact you the way you chose.", "success");
  }

  function signOut() {
    state.session = null;
    state.preferencesEtag = null;
    show("case", false);
    show("updates");
    verifyError("");
    say("You have signed out.");
    $("crime-reference").focus();
  }

  // ---------------------------------------------------------------- start

  function start() {
    state.qrToken = new URLSearchParams(window.location.hash.slice(1)).get("t");
    $("language-form").addEventListener("submit", (event) => {
      event.preventDefault();
      openLeaflet($("language-select").value);
    });
    $("verify-form").addEventListener("submit", verify);
    $("callback-form").addEventListener("submit", requestCallback);
    $("preferences-form").addEventListener("submit", savePreferences);
    $("timeline-more").addEventListener("click", () => loadTimeline(true));
    $("sign-out").addEventListener("click", signOut);
    openLeaflet(null);
  }

  document.addEventListener("DOMContentLoaded", start);
})();
