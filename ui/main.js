// Loads the wasm app; `#[wasm_bindgen(start)]` mounts it into <div id="app">.
import init from './houston_ui.js';

init();
