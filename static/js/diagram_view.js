/* 只读流程图：bpmn-js NavigatedViewer 载入某版本的可显示 XML（GET /api/processes/<key>/versions/<n>/diagram），
   并按 {元素 id: CSS 类} 在图上着色（差异、已办环节等）。Reusable: AnfuDiagram.show('#el', url, markers). */
(function () {
  'use strict';
  var BPMN_NS = 'http://www.omg.org/spec/BPMN/20100524/MODEL';
  // Lanes are named by role key (county_official); readers see the role's Chinese title (workflows/labels.py).
  function laneNamesInWords(xml) {
    var table = document.getElementById('anfu-lane-names');
    if (!table) { return xml; }
    var names = JSON.parse(table.textContent), doc = new DOMParser().parseFromString(xml, 'application/xml');
    var lanes = doc.getElementsByTagNameNS(BPMN_NS, 'lane');
    for (var i = 0; i < lanes.length; i += 1) {
      var key = lanes[i].getAttribute('name');
      if (names[key]) { lanes[i].setAttribute('name', names[key]); }
    }
    return new XMLSerializer().serializeToString(doc);
  }
  function show(container, url, markers) {
    var viewer = new BpmnJS({ container: container });
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.json(); })
      .then(function (data) { return viewer.importXML(laneNamesInWords(data.xml)); })
      .then(function () {
        var canvas = viewer.get('canvas'), registry = viewer.get('elementRegistry');
        canvas.zoom('fit-viewport');
        Object.keys(markers || {}).forEach(function (id) {
          if (registry.get(id)) { canvas.addMarker(id, markers[id]); }
        });
        document.querySelector(container).setAttribute('data-ready', '1');
        return viewer;
      });
  }
  window.AnfuDiagram = { show: show };
  // Pages declare diagrams as <div id=… data-diagram-url=… data-markers='{…}'> (no inline script: CSP).
  document.querySelectorAll('[data-diagram-url]').forEach(function (el) {
    show('#' + el.id, el.getAttribute('data-diagram-url'), JSON.parse(el.getAttribute('data-markers') || '{}'));
  });
}());
