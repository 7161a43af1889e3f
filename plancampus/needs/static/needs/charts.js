// Draw the Vega-Lite specs of a page (JSON blocks written by the json_script filter) with
// vega-embed, under the site's strict CSP: expressions are evaluated by vega-interpreter
// (ast: true) instead of new Function, and no style element is injected.
import { expressionInterpreter } from "../vendor/vega-interpreter.module.js";

function draw(container) {
  var block = document.getElementById(container.dataset.chart);
  if (!block || !window.vegaEmbed) return;
  var spec = JSON.parse(block.textContent);
  window.vegaEmbed(container, spec, {
    ast: true,
    expr: expressionInterpreter,
    actions: false,
    renderer: "svg",
    defaultStyle: false,
    tooltip: { disableDefaultStyle: true },
  }).then(function () {
    container.classList.add("drawn");
  }).catch(function (error) {
    container.textContent = String(error);
  });
}

document.querySelectorAll("[data-chart]").forEach(draw);
