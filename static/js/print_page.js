/* 打印页的“打印”按钮（不用内联 onclick，以符合内容安全策略 CSP）。 */
(function () {
  'use strict';
  var button = document.getElementById('print-now');
  if (button) { button.addEventListener('click', function () { window.print(); }); }
}());
