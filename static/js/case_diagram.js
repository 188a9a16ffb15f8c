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
    holder.setAttribute("data-rendered", "true");
  }).catch(function (err) {
    holder.setAttribute("data-error", "true");
    holder.textContent = "流程图无法显示：" + (err && err.message ? err.message : err);
  });
})();
