// descent report: draws the charts described in the script element "report-data" with uPlot.
// Each chart is {title, x_label, y_label, x_log, y_log, x_range, y_range, series, verticals,
// points} (src/report/html/chart_json.h). When done, the body element gets data-rendered="ok" (or
// "failed"), data-charts (how many were drawn) and data-errors (how many errors guard.js saw).
(function () {
  "use strict";

  // 4 significant digits, exponents for tiny and huge values: "0.01", "2.303", "1.5e-5".
  function formatNumber(v) {
    if (v == null || !isFinite(v)) return "—";
    var a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e5)) {
      return v.toExponential(2).replace(/\.?0+e/, "e").replace("e+", "e");
    }
    return String(+v.toPrecision(4));
  }

  // The splits of a log axis that get a label and a grid line, by rank: decades first, then 5
  // and 2 times them (on an axis of under three decades), then the other whole multiples (on one
  // of under a decade, where no decade may fall inside); a split closer than `gap` pixels to one
  // already taken is left with a small tick only.
  function logLabelled(u, splits, axisIdx) {
    var axis = u.axes[axisIdx];
    var range = u.scales[axis.scale];
    var decades = Math.log10(range.max / range.min);
    var maxRank = decades >= 3 ? 0 : decades >= 1 ? 2 : 3;
    var gap = axis.side % 2 === 0 ? 56 : 18;  // x: label width; y: label height
    var ranked = splits.map(function (v, i) {
      if (v == null || !(v > 0)) return { i: i, rank: 9 };
      var m = +(v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9))).toPrecision(3);
      var rank = m === 1 ? 0 : m === 5 ? 1 : m === 2 ? 2 : Number.isInteger(m) ? 3 : 9;
      return { i: i, rank: rank, pos: u.valToPos(v, axis.scale) };
    }).filter(function (r) { return r.rank <= maxRank; });
    ranked.sort(function (a, b) { return a.rank - b.rank || a.i - b.i; });
    var kept = [];
    ranked.forEach(function (r) {
      if (kept.every(function (k) { return Math.abs(k.pos - r.pos) >= gap; })) kept.push(r);
    });
    var out = splits.map(function () { return null; });
    kept.forEach(function (k) { out[k.i] = splits[k.i]; });
    return out;
  }

  function tickLabels(u, splits) {
    return splits.map(function (v) { return v == null ? "" : formatNumber(v); });
  }

  // Steps and epochs are counted: their axis gets whole-number ticks only.
  var wholeIncrs = [];
  for (var e = 0; e <= 9; e++) [1, 2, 5].forEach(function (m) { wholeIncrs.push(m * Math.pow(10, e)); });

  // One x array for all series (uPlot's aligned data): the union of every series' x and the
  // verticals' x (so the axis reaches them), each series' y placed at its x or null.
  function alignedData(spec) {
    var xs = new Set();
    spec.series.forEach(function (s) { s.x.forEach(function (x) { if (x != null) xs.add(x); }); });
    spec.points.forEach(function (p) { p.x.forEach(function (x) { if (x != null) xs.add(x); }); });
    spec.verticals.forEach(function (v) { xs.add(v.x); });
    var x = Array.from(xs).sort(function (a, b) { return a - b; });
    var index = new Map();
    x.forEach(function (value, i) { index.set(value, i); });
    var columns = [x];
    spec.series.concat(spec.points).forEach(function (s) {
      var y = new Array(x.length).fill(null);
      s.x.forEach(function (xv, i) { if (xv != null) y[index.get(xv)] = s.y[i]; });
      columns.push(y);
    });
    return columns;
  }

  // Draws the vertical markers (a bound, the best η) across the plot.
  function verticalsPlugin(verticals) {
    return {
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx;
          ctx.save();
          verticals.forEach(function (v) {
            var x = u.valToPos(v.x, "x", true);
            if (!(x >= u.bbox.left && x <= u.bbox.left + u.bbox.width)) return;
            ctx.beginPath();
            ctx.strokeStyle = v.color;
            ctx.lineWidth = 1.5 * devicePixelRatio;
            ctx.setLineDash(v.dash.map(function (d) { return d * devicePixelRatio; }));
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
          });
          ctx.restore();
        }],
      },
    };
  }

  function axis(label, log, whole, isX) {
    var a = {
      label: label,
      labelSize: 20,
      labelGap: 0,
      size: isX ? 36 : 56,
      stroke: "#444",
      font: "12px system-ui, sans-serif",
      labelFont: "600 12px system-ui, sans-serif",
      grid: { stroke: "#e8e8e8", width: 1 },
      ticks: { stroke: "#c8c8c8", width: 1, size: 4 },
      values: tickLabels,
    };
    if (log) {
      a.filter = logLabelled;
      a.grid.filter = logLabelled;
    }
    if (whole && !log) a.incrs = wholeIncrs;
    return a;
  }

  function scale(log, range) {
    var s = { time: false };
    if (log) { s.distr = 3; s.log = 10; }
    if (range) { s.auto = false; s.range = [range[0], range[1]]; }
    return s;
  }

  function chartHeight(figure) {
    return figure.classList.contains("wide") ? 340 : 280;
  }

  function drawChart(spec) {
    var figure = document.getElementById(spec.id);
    if (!figure) throw new Error("no element for chart " + spec.id);
    var series = [{ label: spec.x_label, value: function (u, v) { return formatNumber(v); } }];
    spec.series.forEach(function (s) {
      series.push({
        label: s.label,
        stroke: s.color,
        width: s.width,
        dash: s.dash.length ? s.dash : undefined,
        spanGaps: true,
        points: s.markers ? { show: true, size: 6, fill: s.color } : { show: false },
        value: function (u, v) { return formatNumber(v); },
      });
    });
    spec.points.forEach(function (p) {
      series.push({
        label: p.label,
        stroke: p.color,
        fill: p.color,
        paths: function () { return null; },
        points: { show: true, size: 11, width: 2, stroke: "#fff", fill: p.color },
        value: function (u, v) { return formatNumber(v); },
      });
    });
    var data = alignedData(spec);
    var wholeX = data[0].every(function (x) { return Number.isInteger(x); });
    var options = {
      title: spec.title,
      width: Math.max(figure.clientWidth, 300),
      height: chartHeight(figure),
      series: series,
      scales: { x: scale(spec.x_log, spec.x_range), y: scale(spec.y_log, spec.y_range) },
      axes: [axis(spec.x_label, spec.x_log, wholeX, true), axis(spec.y_label, spec.y_log, false, false)],
      legend: { show: true },  // also where the hover values appear
      cursor: { focus: { prox: 24 }, drag: { x: true, y: false } },
      focus: { alpha: 0.25 },
      plugins: [verticalsPlugin(spec.verticals)],
    };
    var chart = new uPlot(options, data, figure);
    // A series without a label (the sweep's connecting line) has no legend entry.
    var entries = chart.root.querySelectorAll(".u-legend .u-series");
    series.forEach(function (s, i) {
      if (i > 0 && !s.label && entries[i]) entries[i].style.display = "none";
    });
    if (spec.verticals.length) {
      var caption = document.createElement("figcaption");
      spec.verticals.forEach(function (v) {
        var item = document.createElement("span");
        item.className = "marker";
        item.style.borderColor = v.color;
        item.style.borderLeftStyle = v.dash.length ? "dashed" : "solid";
        item.textContent = v.label;
        caption.appendChild(item);
      });
      figure.appendChild(caption);
    }
    return { chart: chart, figure: figure };
  }

  function showErrors(errors) {
    var box = document.getElementById("report-errors");
    if (!box || errors.length === 0) return;
    box.hidden = false;
    box.textContent = "This page had " + errors.length + " script error(s): " + errors.join("; ");
  }

  var drawn = [];
  try {
    var data = JSON.parse(document.getElementById("report-data").textContent);
    data.charts.forEach(function (spec) {
      try {
        drawn.push(drawChart(spec));
      } catch (error) {
        console.error("chart " + spec.id + ": " + (error && error.stack ? error.stack : error));
      }
    });
    document.body.dataset.rendered = drawn.length === data.charts.length ? "ok" : "failed";
  } catch (error) {
    console.error("report data: " + error);
    document.body.dataset.rendered = "failed";
  }
  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      drawn.forEach(function (d) {
        d.chart.setSize({ width: Math.max(d.figure.clientWidth, 300), height: chartHeight(d.figure) });
      });
    }, 100);
  });
  document.body.dataset.charts = String(drawn.length);
  document.body.dataset.errors = String(window.descentErrors.length);
  showErrors(window.descentErrors);
})();
