/* The case's diagram in the bpmn-js viewer, with completed steps, current tasks and the path taken marked. */
(function () {
  "use strict";
  var holder = document.getElementById("case-diagram-canvas");
  var source = document.getElementById("case-diagram");
  if (!holder || !source || typeof BpmnJS === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var viewer = new BpmnJS({ container: holder });
  viewer.importXML(data.xml).then(function () {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    function mark(ids, cls) {
      ids.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, cls); } });
    }
    mark(data.marks.flows, "anfu-taken");
    mark(data.marks.completed, "anfu-done");
    mark(data.marks.interrupted, "anfu-interrupted");
    mark(data.marks.current, "anfu-current");
    canvas.zoom("fit-viewport");
    // A wide, flat diagram gets a flatter frame so it is drawn as large as the width allows.
    var box = canvas.viewbox().inner;
    if (box.width > 0) {
      var wanted = Math.round(holder.clientWidth * box.height / box.width) + 40;
      holder.style.height = Math.max(260, Math.min(640, wanted)) + "px";
      canvas.resized();
      canvas.zoom("fit-viewport");
    }
    holder.setAttribute("data-rendered", "true");
  }).catch(function (err) {
    holder.setAttribute("data-error", "true");
    holder.textContent = "流程图无法显示：" + (err && err.message ? err.message : err);
  });
})();
