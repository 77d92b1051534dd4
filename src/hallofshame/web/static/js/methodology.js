// The methodology page is static text; it only needs search and the freshness stamp.

import { showFreshness } from "./controls.js";
import { bindSearch } from "./search.js";

bindSearch();
showFreshness();
