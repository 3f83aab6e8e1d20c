"use strict";
// The report's only script (allowed by its hash in the page's CSP). It reads markup, never story data.
(function () {
  var body = document.body;

  // Focus one character: their mentions and quotes stay highlighted, everyone else's fade.
  function focus(index) {
    var same = body.getAttribute("data-focus") === index;
    document.querySelectorAll(".hl").forEach(function (el) { el.classList.remove("hl"); });
    document.querySelectorAll("[data-focus-btn]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(!same && b.getAttribute("data-focus-btn") === index));
    });
    if (same) {
      body.removeAttribute("data-focus");
      return;
    }
    body.setAttribute("data-focus", index);
    document.querySelectorAll(".ch-" + index).forEach(function (el) { el.classList.add("hl"); });
  }
  document.querySelectorAll("[data-focus-btn]").forEach(function (button) {
    button.addEventListener("click", function () {
      focus(button.getAttribute("data-focus-btn"));
    });
  });

  // Network: hovering a character brings their edges and neighbours forward.
  var network = document.querySelector("svg.network");
  if (!network) return;
  network.querySelectorAll(".node").forEach(function (node) {
    var i = node.getAttribute("data-i");
    var edges = network.querySelectorAll('.edge[data-a="' + i + '"], .edge[data-b="' + i + '"]');
    node.addEventListener("mouseenter", function () {
      network.classList.add("hovering");
      node.classList.add("on");
      edges.forEach(function (edge) {
        edge.classList.add("on");
        ["data-a", "data-b"].forEach(function (end) {
          var other = network.querySelector('.node[data-i="' + edge.getAttribute(end) + '"]');
          if (other) other.classList.add("on");
        });
      });
    });
    node.addEventListener("mouseleave", function () {
      network.classList.remove("hovering");
      network.querySelectorAll(".on").forEach(function (el) { el.classList.remove("on"); });
    });
  });
})();
