// The workbench: pick a rubric, choose each indicator's level, and read what the engine says.
// Every number on the page comes from the /v1 API (score, gap, rescore); nothing is computed here.

import { Problem, call, getJson, postJson } from "./api.js";
import { savedLanguage, setLanguage, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

const state = {
  rubrics: [], // GET /v1/rubrics
  rubric: null, // GET /v1/rubrics/{id}?criteria=true
  indicators: [], // the rubric's indicator ids, in order
  levels: new Map(), // indicator id -> level (as the rubric's scale names it)
  card: null, // the last score card
  sequence: 0, // answers to older requests are dropped
  timer: 0,
};

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-") || key.startsWith("aria-") || key === "role" || key === "for") {
      node.setAttribute(key, value);
    } else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function showError(error) {
  const box = $("error");
  if (!error) {
    box.hidden = true;
    box.textContent = "";
    return;
  }
  box.hidden = false;
  box.textContent = error instanceof Problem ? error.message : String(error.message || error);
}

function table(caption, headers, rows, className = "") {
  return element(
    "table",
    { class: className },
    element("caption", { text: caption }),
    element("thead", {}, element("tr", {}, headers.map((h) => element("th", { scope: "col", text: h })))),
    element(
      "tbody",
      {},
      rows.map((cells) =>
        element(
          "tr",
          {},
          cells.map((cell, i) => (i === 0 ? element("th", { scope: "row" }, cell) : element("td", {}, cell))),
        ),
      ),
    ),
  );
}

function pair(term, value, field) {
  return [element("dt", { text: term }), element("dd", { "data-field": field }, value ?? "—")];
}

// ---------------------------------------------------------------- rubrics and years

function yearsOf(rubric) {
  return rubric.years || [];
}

function fillSetup() {
  const rubricSelect = $("rubric");
  rubricSelect.replaceChildren(
    ...state.rubrics.map((r) => element("option", { value: r.id, text: `${r.id} — ${r.title}` })),
  );
  const years = state.rubrics.flatMap((r) => yearsOf(r).map((year) => [year, r.id]));
  years.sort((a, b) => b[0] - a[0]);
  $("year").replaceChildren(
    element("option", { value: "", "data-i18n": "yearAny", text: t("yearAny") }),
    ...years.map(([year, id]) => element("option", { value: String(year), "data-rubric": id, text: String(year) })),
  );
}

function fillRescoreTargets() {
  const current = state.rubric?.id;
  $("rescore-to").replaceChildren(
    ...state.rubrics
      .filter((r) => r.id !== current)
      .map((r) => element("option", { value: r.id, text: `${r.id} — ${r.title}` })),
  );
}

async function chooseRubric(id, { keepLevels = false } = {}) {
  showError(null);
  const rubric = await getJson(`/rubrics/${encodeURIComponent(id)}?criteria=true`);
  state.rubric = rubric;
  $("rubric").value = rubric.id;
  const year = $("year").value;
  if (year && !yearsOf(rubric).includes(Number(year))) $("year").value = "";
  if (!keepLevels) state.levels.clear();
  renderTree();
  renderRubricInfo();
  document.body.dataset.rubric = rubric.id; // the tree on the page is this rubric's
  $("gap-target").replaceChildren(
    ...rubric.bands.map((band) => element("option", { value: band.predikat, text: band.predikat })),
  );
  fillRescoreTargets();
  $("gap-result").replaceChildren();
  $("rescore-result").replaceChildren();
  scheduleScore(0);
}

function renderRubricInfo() {
  const rubric = state.rubric;
  const summary = state.rubrics.find((r) => r.id === rubric.id);
  const count = summary ? summary.counts.indicator : state.indicators.length;
  const years = yearsOf(rubric).length ? ` · ${t("years")} ${yearsOf(rubric).join(", ")}` : "";
  $("rubric-info").textContent = `${rubric.title} — ${rubric.legal_basis.regulation}${years} · ${count} ${t("indicators")}`;
}

// ---------------------------------------------------------------- the indicator tree

function renderTree() {
  const rubric = state.rubric;
  state.indicators = [];
  const root = $("indicators");
  root.replaceChildren(...rubric.tree.map((group) => renderGroup(group, 2)));
  for (const [id, level] of state.levels) {
    const input = document.querySelector(`input[name="level-${CSS.escape(id)}"][value="${CSS.escape(String(level))}"]`);
    if (input) input.checked = true;
    else state.levels.delete(id);
  }
}

function renderGroup(group, depth) {
  const headingId = `group-${group.id}`;
  const heading = element(
    `h${Math.min(depth, 6)}`,
    { id: headingId },
    `${group.id} ${group.name} `,
    element("span", { class: "weight" }, `${t("weight")} ${group.weight}`),
    " ",
    element("output", { class: "group-value", "data-group": group.id, "aria-live": "off" }),
  );
  return element(
    "section",
    { class: `group ${group.kind}`, "aria-labelledby": headingId },
    heading,
    (group.groups || []).map((child) => renderGroup(child, depth + 1)),
    (group.indicators || []).map((indicator) => renderIndicator(indicator)),
  );
}

function renderIndicator(indicator) {
  state.indicators.push(indicator.id);
  const scale = state.rubric.scales[indicator.scale];
  const criteria = indicator.criteria?.levels || {};
  const name = `level-${indicator.id}`;
  const choices = [
    element(
      "label",
      { class: "choice none" },
      element("input", { type: "radio", name, value: "", checked: !state.levels.has(indicator.id) }),
      element("span", { class: "level-name", "data-i18n": "notAssessed", text: t("notAssessed") }),
    ),
  ];
  for (const [key, level] of Object.entries(scale.levels)) {
    choices.push(
      element(
        "label",
        { class: "choice" },
        element("input", { type: "radio", name, value: key }),
        element("span", { class: "level-name" }, `${key} ${level.name}`),
        criteria[key] ? element("span", { class: "criteria", text: criteria[key] }) : null,
      ),
    );
  }
  const explanation = indicator.criteria?.explanation;
  return element(
    "fieldset",
    { class: "indicator", id: `ind-${indicator.id}`, "data-indicator": indicator.id },
    element(
      "legend",
      {},
      element("span", { class: "ind-id", text: indicator.id }),
      ` ${indicator.name} `,
      element("span", { class: "weight" }, `${t("weight")} ${indicator.weight}`),
    ),
    explanation ? element("p", { class: "muted", text: explanation }) : null,
    element("div", { class: "choices" }, choices),
  );
}

function onLevelChange(event) {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.name.startsWith("level-")) return;
  const id = input.name.slice("level-".length);
  if (input.value === "") state.levels.delete(id);
  else state.levels.set(id, Number(input.value));
  scheduleScore();
}

function orderedLevels() {
  const levels = {};
  for (const id of state.indicators) if (state.levels.has(id)) levels[id] = state.levels.get(id);
  return levels;
}

function assessment() {
  const body = { rubric: state.rubric.id, levels: orderedLevels() };
  const instansi = $("instansi").value.trim();
  if (instansi) body.instansi = instansi;
  if ($("year").value) body.year = Number($("year").value);
  return body;
}

function isComplete() {
  return state.indicators.length > 0 && state.indicators.every((id) => state.levels.has(id));
}

// ---------------------------------------------------------------- scoring

function scheduleScore(delay = 120) {
  clearTimeout(state.timer);
  state.timer = setTimeout(score, delay);
}

async function score() {
  const sequence = ++state.sequence;
  if (!state.rubric) return;
  if (state.levels.size === 0) {
    state.card = null;
    document.body.dataset.scored = String(sequence);
    renderNoResult();
    return;
  }
  $("result").setAttribute("aria-busy", "true");
  try {
    const card = await postJson("/score", { ...assessment(), partial: !isComplete(), explain: true });
    if (sequence !== state.sequence) return;
    state.card = card;
    showError(null);
    renderCard(card);
  } catch (error) {
    if (sequence !== state.sequence) return;
    state.card = null;
    showError(error);
  } finally {
    if (sequence === state.sequence) {
      $("result").removeAttribute("aria-busy");
      // A marker for tests and assistive tools: the page shows the answer to its latest request.
      document.body.dataset.scored = String(sequence);
    }
  }
}

function renderNoResult() {
  $("result").replaceChildren(element("p", { class: "muted", "data-i18n": "noResult", text: t("noResult") }));
  $("groups").replaceChildren();
  $("explain").replaceChildren();
  for (const output of document.querySelectorAll(".group-value")) output.textContent = "";
}

function renderCard(card) {
  const explanation = card.explanation || {};
  const parts = [];
  if (card.complete && card.index !== null) {
    const band = (explanation.classification || [])[0];
    parts.push(
      element(
        "div",
        { class: "headline" },
        element("span", { class: "big", "data-field": "index", text: card.index }),
        element("span", { class: "predikat", "data-field": "predikat", text: card.predikat ?? "—" }),
      ),
      element(
        "dl",
        {},
        pair(t("index"), card.index, "index-text"),
        pair(t("exactIndex"), card.exact_index, "exact-index"),
        pair(t("predikat"), card.predikat, "predikat-text"),
        pair(t("bandRule"), card.predikat_on === "exact" ? t("ruleExact") : t("ruleRounded"), "band-rule"),
        pair(t("band"), band ? `${band.band} → ${band.predikat}` : null, "band"),
        pair(
          t("rounding"),
          explanation.rounding ? `${explanation.rounding.mode}, ${explanation.rounding.places} ${t("places")}` : null,
          "rounding",
        ),
      ),
    );
  } else {
    parts.push(
      element("p", { class: "partial", "data-field": "partial", text: t("partial") }),
      element(
        "dl",
        {},
        pair(t("completeness"), card.completeness, "completeness"),
        pair(t("filled"), `${state.levels.size} ${t("of")} ${state.indicators.length}`, "filled"),
        pair(t("partialIndex"), card.partial_index, "partial-index"),
        pair(t("range"), card.index_range ? card.index_range.join(" – ") : null, "range"),
        pair(t("candidates"), (card.predikat_candidates || []).join(", "), "candidates"),
        pair(t("bandRule"), card.predikat_on === "exact" ? t("ruleExact") : t("ruleRounded"), "band-rule"),
      ),
    );
  }
  $("result").replaceChildren(...parts);
  $("groups").replaceChildren(
    table(
      t("groupsTitle"),
      [t("colId"), t("colName"), t("colWeight"), t("colValue"), t("colContribution"), t("colCompleteness")],
      card.groups.map((g) => [
        g.id,
        g.name,
        g.weight,
        g.index ?? "—",
        g.contribution ?? "—",
        g.completeness,
      ]),
      "groups",
    ),
  );
  for (const g of card.groups) {
    const output = document.querySelector(`.group-value[data-group="${CSS.escape(g.id)}"]`);
    if (output) output.textContent = g.index ? `${t("colValue")} ${g.index}` : "";
  }
  $("explain").replaceChildren(...(explanation.steps || []).map((step) => element("li", { text: step })));
}

// ---------------------------------------------------------------- gap plan

async function runGap() {
  const out = $("gap-result");
  if (!isComplete()) {
    out.replaceChildren(element("p", { class: "muted", text: t("gapNeedsComplete") }));
    return;
  }
  out.replaceChildren(element("p", { class: "muted", text: t("scoring") }));
  try {
    const plan = await postJson("/gap", { ...assessment(), target: $("gap-target").value });
    const head = element(
      "p",
      { "data-field": "gap-summary" },
      `${t("gapStart")}: ${plan.start.index} ${plan.start.predikat} → ${plan.target}: ${plan.total_steps} ${t("gapSteps")}; ${t("gapEnd")} ${plan.end_index ?? "—"}`,
    );
    if (plan.total_steps === 0) {
      out.replaceChildren(head, element("p", { text: t("gapReached") }));
      return;
    }
    out.replaceChildren(
      head,
      table(
        t("gapTitle"),
        [t("colStep"), t("colItem"), t("colFromTo"), t("colGain"), t("colIndexAfter"), t("predikat")],
        plan.steps.map((s) => [String(s.step), `${s.item} ${s.name}`, `${s.from} → ${s.to}`, s.gain, s.published, s.predikat]),
        "gap-steps",
      ),
    );
  } catch (error) {
    out.replaceChildren(element("p", { class: "error", role: "alert", text: error.message }));
  }
}

// ---------------------------------------------------------------- rescoring through a crosswalk

function markText(mark) {
  return mark ? `${t(`mark_${mark}`)} (${mark})` : "—";
}

async function runRescore() {
  const out = $("rescore-result");
  if (state.levels.size === 0) {
    out.replaceChildren(element("p", { class: "muted", text: t("rescoreNeedsLevels") }));
    return;
  }
  const to = $("rescore-to").value;
  const missing = $("rescore-missing").value;
  const query = new URLSearchParams({ to });
  if (missing) query.set("missing", missing);
  const body = assessment();
  const row = { rubric: body.rubric, ...body.levels };
  if (body.instansi) row.instansi = body.instansi;
  if (body.year) row.year = body.year;
  out.replaceChildren(element("p", { class: "muted", text: t("scoring") }));
  try {
    const response = await call(`/rescore?${query}`, { method: "POST", body: JSON.stringify([row]) });
    const line = (await response.text()).split("\n").find((text) => text.trim());
    const result = JSON.parse(line);
    const parts = [
      element(
        "dl",
        { "data-field": "rescore" },
        pair(t("from"), `${result.from_rubric}: ${result.from_index ?? "—"} ${result.from_predikat ?? ""}`, "rescore-from"),
        pair(t("to"), `${result.rubric}: ${result.index ?? "—"} ${result.predikat ?? ""}`, "rescore-to-result"),
        pair(t("comparability"), markText(result.comparability), "comparability"),
        pair(t("coverage"), result.coverage, "coverage"),
        pair(t("imputed"), (result.imputed || []).join(", ") || "—", "imputed"),
        pair(t("unscored"), (result.unscored || []).join(", ") || "—", "unscored"),
        pair(t("status"), result.status, "rescore-status"),
        result.message ? pair(t("message"), result.message, "rescore-message") : null,
      ),
    ];
    try {
      const walk = await getJson(`/crosswalks/${encodeURIComponent(body.rubric)}/${encodeURIComponent(to)}`);
      parts.push(
        element(
          "details",
          {},
          element("summary", { text: `${t("crosswalkTitle")}: ${walk.title || `${walk.from} → ${walk.to}`}` }),
          (walk.notes || []).map((note) => element("p", { class: "muted", text: note })),
          table(
            t("crosswalkTitle"),
            [t("colItem"), t("colName"), t("colSources"), t("colMark")],
            walk.targets.map((target) => [target.id, target.name, target.sources.join(", ") || "—", markText(target.mark)]),
            "crosswalk",
          ),
        ),
      );
    } catch (error) {
      parts.push(element("p", { class: "muted", text: `${t("noCrosswalk")} ${error.message}` }));
    }
    out.replaceChildren(...parts);
  } catch (error) {
    out.replaceChildren(element("p", { class: "error", role: "alert", text: error.message }));
  }
}

// ---------------------------------------------------------------- files

async function save(format) {
  const status = $("file-status");
  try {
    const file = await postJson("/assessments/write", { ...assessment(), format });
    offer(new Blob([file.text], { type: file.media_type }), file.name);
    status.textContent = `${t("saved")}: ${file.name}`;
  } catch (error) {
    status.textContent = error.message;
  }
}

/** Hand the browser a file to save under `name`. */
function offer(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = element("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The chosen rubric's worksheet (.xlsx) from the service, with the instansi and year filled in. */
async function downloadWorksheet() {
  const status = $("file-status");
  if (!state.rubric) return;
  const query = new URLSearchParams();
  const instansi = $("instansi").value.trim();
  if (instansi) query.set("instansi", instansi);
  if ($("year").value) query.set("year", $("year").value);
  const suffix = query.toString() ? `?${query}` : "";
  try {
    const response = await call(`/rubrics/${encodeURIComponent(state.rubric.id)}/worksheet${suffix}`);
    const disposition = response.headers.get("content-disposition") || "";
    const name = /filename="([^"]+)"/.exec(disposition)?.[1] || `lke-${state.rubric.id}.xlsx`;
    offer(await response.blob(), name);
    status.textContent = `${t("downloaded")}: ${name}`;
  } catch (error) {
    status.textContent = error.message;
  }
}

/** A file's bytes as base64 (the service reads the workbook; the page never opens it). */
function base64Of(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function showNotes(notes) {
  const box = $("file-notes");
  if (!notes.length) {
    box.replaceChildren();
    return;
  }
  box.replaceChildren(
    element("p", { class: "muted", "data-i18n": "sheetNotesTitle", text: t("sheetNotesTitle") }),
    element("ul", { class: "sheet-notes" }, notes.map((note) => element("li", { text: note }))),
  );
}

async function readFile(file) {
  if (file.name.toLowerCase().endsWith(".xlsx")) {
    return postJson("/assessments/read-worksheet", { name: file.name, content_base64: await base64Of(file) });
  }
  return postJson("/assessments/read", { name: file.name, text: await file.text() });
}

async function load(event) {
  const file = event.target.files[0];
  if (!file) return;
  const status = $("file-status");
  showNotes([]);
  try {
    const form = await readFile(file);
    let rubricId = form.rubric;
    if (!rubricId && form.year) {
      rubricId = state.rubrics.find((r) => yearsOf(r).includes(form.year))?.id;
    }
    if (!rubricId || !state.rubrics.some((r) => r.id === rubricId)) {
      throw new Error(`${t("loadedOtherRubric")} ${form.rubric ?? form.year ?? "—"}`);
    }
    if (form.domains) throw new Error(`${file.name}: ${t("domainsFile")}`);
    $("instansi").value = form.instansi || "";
    $("year").value = form.year && [...$("year").options].some((o) => o.value === String(form.year)) ? String(form.year) : "";
    state.levels = new Map(Object.entries(form.levels || {}).map(([id, level]) => [id, Number(level)]));
    await chooseRubric(rubricId, { keepLevels: true });
    status.textContent = `${t("loaded")}: ${file.name}`;
    showNotes(form.worksheet?.notes || []);
  } catch (error) {
    status.textContent = error.message;
  } finally {
    event.target.value = "";
  }
}

// ---------------------------------------------------------------- start

async function start() {
  setLanguage(savedLanguage());
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", () => {
      setLanguage(button.dataset.lang);
      if (state.rubric) {
        renderTree();
        renderRubricInfo();
        if (state.card) renderCard(state.card);
      }
    });
  }
  $("print").addEventListener("click", () => window.print());
  $("indicators").addEventListener("change", onLevelChange);
  $("rubric").addEventListener("change", () => chooseRubric($("rubric").value).catch(showError));
  $("year").addEventListener("change", () => {
    const option = $("year").selectedOptions[0];
    const id = option?.dataset.rubric;
    if (id && id !== state.rubric?.id) chooseRubric(id).catch(showError);
    else scheduleScore(0);
  });
  $("instansi").addEventListener("change", () => scheduleScore(0));
  $("clear").addEventListener("click", () => {
    state.levels.clear();
    renderTree();
    scheduleScore(0);
  });
  $("gap-run").addEventListener("click", runGap);
  $("rescore-run").addEventListener("click", runRescore);
  $("save-toml").addEventListener("click", () => save("toml"));
  $("save-json").addEventListener("click", () => save("json"));
  $("download-xlsx").addEventListener("click", downloadWorksheet);
  $("load").addEventListener("change", load);
  try {
    state.rubrics = await getJson("/rubrics");
    fillSetup();
    const wanted = new URLSearchParams(location.search).get("rubric");
    const latest = $("year").options[1]?.dataset.rubric;
    const first = state.rubrics.some((r) => r.id === wanted) ? wanted : latest || state.rubrics[0]?.id;
    if (first) await chooseRubric(first);
  } catch (error) {
    showError(error);
  }
  document.body.dataset.ready = "true";
}

start();
