// Keyboard entry of questionnaires: in an item, typing the printed score of an answer chooses it
// and moves to the next item; Enter (or Tab) moves on; a counter says how many items are
// unanswered. Scores of two digits (0-10 pain ratings) take both digits before moving on.
(function () {
  "use strict";
  const rows = Array.from(document.querySelectorAll("[data-entry-row]"));
  if (!rows.length) return;
  const counter = document.querySelector("[data-unanswered-count]");
  const form = rows[0].closest("form");
  let buffer = "";

  function radios(row) { return Array.from(row.querySelectorAll("input[type=radio]")); }
  function answered(row) {
    const choices = radios(row);
    if (choices.length) return choices.some((r) => r.checked);
    const box = row.querySelector("input");
    return !box || box.value.trim() !== "";
  }
  function updateCounter() {
    if (!counter) return;
    const missing = rows.filter((row) => !answered(row)).length;
    const words = missing === 1 ? counter.dataset.one : counter.dataset.many;
    counter.textContent = words.replace("{n}", String(missing));
    counter.dataset.unanswered = String(missing);
  }
  function focusRow(row) {
    const choices = radios(row);
    const target = choices.find((r) => r.checked) || choices[0] || row.querySelector("input");
    if (target) target.focus();
  }
  function advance(row) {
    buffer = "";
    const next = rows[rows.indexOf(row) + 1];
    if (next) { focusRow(next); return; }
    const save = form && form.querySelector("button[type=submit]");
    if (save) save.focus();
  }

  rows.forEach((row) => {
    row.addEventListener("focusin", (event) => {
      if (!row.contains(event.relatedTarget)) buffer = "";
    });
    row.addEventListener("keydown", (event) => {
      const choices = radios(row);
      if (event.key === "Enter") {
        event.preventDefault();
        advance(row);
        return;
      }
      if (!choices.length || !/^[0-9]$/.test(event.key) || event.ctrlKey || event.altKey || event.metaKey) return;
      event.preventDefault();
      const codes = choices.map((r) => r.value);
      let typed = buffer + event.key;
      if (!codes.includes(typed)) typed = event.key;
      const choice = choices.find((r) => r.value === typed);
      if (!choice) { buffer = ""; return; }
      choice.checked = true;
      choice.focus();
      choice.dispatchEvent(new Event("change", { bubbles: true }));
      const longer = codes.some((code) => code.length > typed.length && code.startsWith(typed));
      if (longer) { buffer = typed; } else { advance(row); }
    });
  });
  document.addEventListener("change", updateCounter);
  document.addEventListener("input", updateCounter);
  updateCounter();
})();
