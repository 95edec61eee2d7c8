/* ecombridge web UI: small enhancements; every page works without them. No inline scripts. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  // The phone menu: a button that shows and hides the navigation.
  function setUpMenu() {
    var button = document.querySelector(".menu-button");
    var nav = document.getElementById("sidebar");
    if (!button || !nav) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // Filters that apply as soon as they change (forms marked data-autosubmit).
  function setUpAutoSubmit() {
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
      select.addEventListener("change", function () { select.form.requestSubmit(); });
    });
  }

  // Mappings: add and remove rows, and suggest the data type of the chosen property.
  function setUpMappings() {
    var form = document.getElementById("mappings-form");
    if (!form) return;
    var body = form.querySelector("tbody");
    var count = form.querySelector("input[name=rows]");
    var types = {};
    try { types = JSON.parse(form.getAttribute("data-suggested-types") || "{}"); } catch (e) { types = {}; }

    function renumber() {
      var rows = body.querySelectorAll("tr.mapping-row");
      rows.forEach(function (row, index) {
        row.querySelectorAll("[data-field]").forEach(function (field) {
          var name = field.getAttribute("data-field");
          field.name = name + "_" + index;
          var label = field.getAttribute("data-label");
          if (label) field.setAttribute("aria-label", label + " " + (index + 1));
        });
      });
      count.value = String(rows.length);
    }

    function suggest(input) {
      var row = input.closest("tr");
      var select = row && row.querySelector("select[data-field=type]");
      var hint = row && row.querySelector(".type-hint");
      var known = types[input.value.trim()];
      if (hint) hint.textContent = known ? "Suggested: " + known : "";
      if (select && known && !select.value) select.value = known;
    }

    body.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-remove-row]");
      if (!button) return;
      var row = button.closest("tr");
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      renumber();
      var focus = next && next.querySelector("input");
      (focus || document.getElementById("add-row")).focus();
    });
    body.addEventListener("change", function (event) {
      if (event.target.matches("input[data-field=hub]")) suggest(event.target);
    });
    var add = document.getElementById("add-row");
    var template = document.getElementById("mapping-row-template");
    if (add && template) {
      add.hidden = false;
      add.addEventListener("click", function () {
        var row = template.content.firstElementChild.cloneNode(true);
        body.appendChild(row);
        renumber();
        row.querySelector("input").focus();
      });
    }
  }

  ready(function () {
    setUpMenu();
    setUpAutoSubmit();
    setUpMappings();
  });
})();
