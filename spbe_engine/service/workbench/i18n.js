// The page's own words in Indonesian (the default) and English. Rubric texts (names, criteria, predikat)
// stay as the rubric gives them.

const STRINGS = {
  id: {
    skip: "Langsung ke hasil",
    title: "Lembar Kerja Penilaian Mandiri SPBE",
    language: "Bahasa",
    print: "Cetak ringkasan",
    setup: "Penilaian",
    instansi: "Nama instansi",
    year: "Tahun evaluasi",
    yearAny: "(sesuai rubrik)",
    rubric: "Rubrik",
    load: "Buka file penilaian (TOML atau JSON)",
    saveToml: "Simpan sebagai TOML",
    saveJson: "Simpan sebagai JSON",
    clear: "Kosongkan semua level",
    result: "Hasil",
    noResult: "Pilih level indikator untuk melihat hasil.",
    explanation: "Penjelasan perhitungan",
    gapTitle: "Rencana peningkatan",
    gapTarget: "Predikat yang dituju",
    gapRun: "Susun rencana",
    rescoreTitle: "Nilai ulang dengan rubrik lain",
    rescoreTo: "Rubrik tujuan",
    rescoreMissing: "Indikator tanpa sumber",
    missingNone: "tidak diisi (tanpa imputasi)",
    missingLowest: "isi dengan level terendah",
    missingGroup: "isi dengan rata-rata kelompok",
    missingOverall: "isi dengan rata-rata keseluruhan",
    rescoreRun: "Nilai ulang",
    tokenTitle: "Token akses diperlukan",
    tokenText: "Layanan ini meminta token (Authorization: Bearer). Token hanya disimpan di tab ini.",
    token: "Token",
    tokenOk: "Gunakan token",
    cancel: "Batal",
    footer: "Semua angka berasal dari spbe-engine (/v1); halaman ini tidak menghitung apa pun.",
    apiDocs: "Dokumentasi API",
    years: "tahun",
    indicators: "indikator",
    weight: "Bobot",
    notAssessed: "Belum dinilai",
    level: "Level",
    index: "Indeks",
    exactIndex: "Indeks tanpa pembulatan",
    predikat: "Predikat",
    bandRule: "Aturan predikat",
    ruleExact: "predikat ditentukan dari indeks tanpa pembulatan",
    ruleRounded: "predikat ditentukan dari indeks yang sudah dibulatkan",
    band: "Rentang",
    rounding: "Pembulatan",
    partial: "Penilaian belum lengkap: indeks belum dapat ditetapkan.",
    completeness: "Kelengkapan (bobot terisi)",
    filled: "Indikator terisi",
    of: "dari",
    partialIndex: "Nilai rata-rata indikator terisi",
    range: "Kisaran indeks bila dilengkapi",
    candidates: "Predikat yang masih mungkin",
    groupsTitle: "Nilai domain dan aspek",
    colId: "Kode",
    colName: "Nama",
    colWeight: "Bobot",
    colValue: "Nilai",
    colContribution: "Kontribusi",
    colCompleteness: "Kelengkapan",
    scoring: "Menghitung…",
    gapNeedsComplete: "Lengkapi semua indikator untuk menyusun rencana.",
    gapSteps: "langkah",
    gapReached: "Predikat ini sudah tercapai.",
    gapStart: "Awal",
    gapEnd: "Indeks akhir",
    colStep: "Langkah",
    colItem: "Indikator",
    colFromTo: "Level",
    colGain: "Kenaikan",
    colIndexAfter: "Indeks",
    rescoreNeedsLevels: "Isi level indikator terlebih dahulu.",
    comparability: "Keterbandingan",
    coverage: "Cakupan bobot yang terpetakan",
    imputed: "Diimputasi",
    unscored: "Tidak dinilai",
    from: "Dari",
    to: "Ke",
    crosswalkTitle: "Pemetaan indikator (crosswalk)",
    colSources: "Sumber",
    colMark: "Tanda",
    noCrosswalk: "Tidak ada crosswalk terdaftar; lihat pesan dari layanan.",
    loaded: "Dibuka",
    saved: "Disimpan",
    loadedOtherRubric: "File menyebut rubrik",
    tokenNeeded: "Token diperlukan untuk memanggil /v1.",
    status: "Status",
    message: "Pesan",
    mark_exact: "sama persis",
    mark_approximate: "perkiraan",
    mark_partial: "sebagian",
    mark_none: "tidak terbandingkan",
  },
  en: {
    skip: "Skip to the result",
    title: "SPBE self-assessment workbench",
    language: "Language",
    print: "Print summary",
    setup: "Assessment",
    instansi: "Instansi name",
    year: "Evaluation year",
    yearAny: "(the rubric's)",
    rubric: "Rubric",
    load: "Open an assessment file (TOML or JSON)",
    saveToml: "Save as TOML",
    saveJson: "Save as JSON",
    clear: "Clear all levels",
    result: "Result",
    noResult: "Choose indicator levels to see the result.",
    explanation: "How the numbers came about",
    gapTitle: "Improvement plan",
    gapTarget: "Target predikat",
    gapRun: "Make the plan",
    rescoreTitle: "Rescore under another rubric",
    rescoreTo: "Target rubric",
    rescoreMissing: "Indicators without a source",
    missingNone: "leave them (no imputation)",
    missingLowest: "impute the lowest level",
    missingGroup: "impute the group mean",
    missingOverall: "impute the overall mean",
    rescoreRun: "Rescore",
    tokenTitle: "An access token is required",
    tokenText: "This service asks for a token (Authorization: Bearer). It is kept in this tab only.",
    token: "Token",
    tokenOk: "Use the token",
    cancel: "Cancel",
    footer: "Every number comes from spbe-engine (/v1); this page computes none.",
    apiDocs: "API documentation",
    years: "years",
    indicators: "indicators",
    weight: "Weight",
    notAssessed: "Not assessed",
    level: "Level",
    index: "Index",
    exactIndex: "Unrounded index",
    predikat: "Predikat",
    bandRule: "Band rule",
    ruleExact: "the predikat is read from the unrounded index",
    ruleRounded: "the predikat is read from the rounded index",
    band: "Band",
    rounding: "Rounding",
    partial: "The assessment is incomplete: no index yet.",
    completeness: "Completeness (weight assessed)",
    filled: "Indicators assessed",
    of: "of",
    partialIndex: "Mean of the assessed indicators",
    range: "Index range once completed",
    candidates: "Predikat still possible",
    groupsTitle: "Domain and aspect values",
    colId: "Id",
    colName: "Name",
    colWeight: "Weight",
    colValue: "Value",
    colContribution: "Contribution",
    colCompleteness: "Completeness",
    scoring: "Scoring…",
    gapNeedsComplete: "Assess every indicator to make a plan.",
    gapSteps: "steps",
    gapReached: "This predikat is already reached.",
    gapStart: "Start",
    gapEnd: "End index",
    colStep: "Step",
    colItem: "Indicator",
    colFromTo: "Level",
    colGain: "Gain",
    colIndexAfter: "Index",
    rescoreNeedsLevels: "Choose indicator levels first.",
    comparability: "Comparability",
    coverage: "Weight covered by the mapping",
    imputed: "Imputed",
    unscored: "Unscored",
    from: "From",
    to: "To",
    crosswalkTitle: "Indicator mapping (crosswalk)",
    colSources: "Sources",
    colMark: "Mark",
    noCrosswalk: "No registered crosswalk; see the service's message.",
    loaded: "Opened",
    saved: "Saved",
    loadedOtherRubric: "The file names the rubric",
    tokenNeeded: "A token is needed to call /v1.",
    status: "Status",
    message: "Message",
    mark_exact: "exact",
    mark_approximate: "approximate",
    mark_partial: "partial",
    mark_none: "not comparable",
  },
};

let current = "id";

/** Return the page's text for `key` in the current language. */
export function t(key) {
  return STRINGS[current][key] ?? STRINGS.id[key] ?? key;
}

/** The current language code. */
export function language() {
  return current;
}

/** Switch the language and rewrite every element marked with data-i18n. */
export function setLanguage(code) {
  current = code in STRINGS ? code : "id";
  document.documentElement.lang = current;
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  document.title = t("title");
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === current));
  }
  try {
    sessionStorage.setItem("spbe-workbench-lang", current);
  } catch {
    // Storage may be off; the switch still works for this page.
  }
}

/** The language chosen earlier in this tab, else Indonesian. */
export function savedLanguage() {
  try {
    return sessionStorage.getItem("spbe-workbench-lang") || "id";
  } catch {
    return "id";
  }
}
