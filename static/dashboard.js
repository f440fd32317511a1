/* Draws the dashboard's charts from the JSON block #dashboard-data (no inline script: the CSP forbids it).
   Every chart's numbers are also in a table next to it, so the page works without this file. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var locale = document.documentElement.lang || "ru";
  var numberFormat = new Intl.NumberFormat(locale);
  var moneyFormat = new Intl.NumberFormat(locale, { style: "currency", currency: "RUB", maximumFractionDigits: 0 });

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var chart = data[canvas.dataset.chart];
    if (!chart) { return; }
    var type = canvas.dataset.chartType || "bar";
    var horizontal = canvas.dataset.horizontal === "1";
    var format = canvas.dataset.money === "1" ? moneyFormat : numberFormat;
    var options = {
      responsive: true,
      // Horizontal bar charts grow with the number of rows so that every label stays readable.
      aspectRatio: horizontal ? Math.max(0.6, 2 - chart.labels.length * 0.08) : (type === "doughnut" ? 1.6 : 2),
      animation: false,
      plugins: {
        legend: { display: type === "doughnut" || chart.series.length > 1 },
        tooltip: { callbacks: { label: function (item) {
          return (item.dataset.label ? item.dataset.label + ": " : "") + format.format(item.raw);
        } } }
      }
    };
    if (type === "bar") {
      options.indexAxis = horizontal ? "y" : "x";
      var valueAxis = { beginAtZero: true, ticks: { precision: 0, callback: function (value) { return format.format(value); } } };
      options.scales = horizontal ? { x: valueAxis } : { y: valueAxis };
    }
    new Chart(canvas, {
      type: type,
      data: {
        labels: chart.labels,
        datasets: chart.series.map(function (series) { return { label: series.label, data: series.data }; })
      },
      options: options
    });
  });
})();
