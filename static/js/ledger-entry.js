/*
 * The staff ledger form: "公开显示为：…" under the counterparty, kept up to date while typing.
 * The same rule as the server (finance/rules.py counterparty_type_for, core/formatting.py
 * mask_person_name): a person is masked to the first character and two asterisks; an organisation
 * is shown in full; before a choice the kind is read from the name with the words the server gives
 * in data-organisation-words. Without this script the line appears after the form is sent once.
 */
(function () {
  "use strict";
  var line = document.querySelector("[data-counterparty-public]");
  if (!line) { return; }
  var form = line.closest("form");
  var nameInput = form.querySelector("input[name='counterparty']");
  var nameOut = line.querySelector("[data-public-name]");
  var noteOut = line.querySelector("[data-public-note]");
  var words = [];
  try { words = JSON.parse(line.getAttribute("data-organisation-words")) || []; } catch (e) { words = []; }
  var guessedNote = line.getAttribute("data-guessed-note") || "";

  function looksLikeOrganisation(name) {
    var folded = name.toLowerCase();
    return words.some(function (word) { return folded.indexOf(word.toLowerCase()) !== -1; });
  }

  function mask(name) {
    var first = Array.from(name)[0];
    return first + "**";
  }

  function update() {
    var name = (nameInput.value || "").trim();
    if (!name) { line.hidden = true; return; }
    var chosen = form.querySelector("input[name='counterparty_type']:checked");
    var kind = chosen ? chosen.value : (looksLikeOrganisation(name) ? "organisation" : "person");
    nameOut.textContent = kind === "person" ? mask(name) : name;
    noteOut.textContent = chosen ? "" : "（" + guessedNote + "）";
    line.hidden = false;
  }

  nameInput.addEventListener("input", update);
  form.querySelectorAll("input[name='counterparty_type']").forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
