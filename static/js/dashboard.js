/* Draws the dashboard's charts with the vendored Chart.js from the figures the page passes
   through json_script (#dashboard-data). Every chart has a table beside it with the same
   numbers, for screen readers, print, and when scripts do not run. */
(function () {
  "use strict";

  var RED = "rgba(176, 42, 55, 0.85)";
  var BLUE = "rgba(13, 110, 253, 0.9)";
  var GREY = "rgba(108, 117, 125, 0.55)";

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas || !window.Chart) return null;
    config.options = Object.assign(
      {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: "bottom" } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
      config.options || {}
    );
    return new window.Chart(canvas, config);
  }

  function start() {
    var source = document.getElementById("dashboard-data");
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var text = data.text || {};

    draw("chart-months", {
      type: "bar",
      data: {
        labels: data.months.labels,
        datasets: [
          { type: "bar", label: text.units, data: data.months.units, backgroundColor: RED, order: 2 },
          {
            type: "line",
            label: text.need,
            data: data.months.need,
            borderColor: BLUE,
            backgroundColor: BLUE,
            pointRadius: 2,
            order: 1,
          },
        ],
      },
    });

    draw("chart-groups", {
      type: "bar",
      data: {
        labels: data.groups.labels,
        datasets: [
          { label: text.units, data: data.groups.units, backgroundColor: RED },
          { label: text.need, data: data.groups.need, backgroundColor: GREY },
        ],
      },
    });

    draw("chart-camps", {
      type: "bar",
      data: {
        labels: data.camps.labels,
        datasets: [{ label: text.camps, data: data.camps.camps, backgroundColor: RED }],
      },
      options: {
        indexAxis: "y",
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
