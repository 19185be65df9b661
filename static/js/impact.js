/* Draws the impact page's monthly curve with the vendored Chart.js from the figures the page
   passes through json_script (#impact-data). A month of 1 to 4 units comes as null and is
   left out (the page says so); the table beside the chart holds every month. */
(function () {
  "use strict";

  function start() {
    var source = document.getElementById("impact-data");
    var canvas = document.getElementById("chart-impact-months");
    if (!source || !canvas || !window.Chart) return;
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: data.text.units, data: data.units, backgroundColor: "rgba(176, 42, 55, 0.85)" },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
