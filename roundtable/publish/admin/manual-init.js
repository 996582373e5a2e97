// Stops Decap CMS from starting by itself: init.js starts it, once its additions are made.
window.CMS_MANUAL_INIT = true;
