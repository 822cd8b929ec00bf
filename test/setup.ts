/**
 * Runs before every test file (vitest `setupFiles`): the leak check applies to all suites, so a new file cannot
 * forget it.
 */
import { failOnLeaks } from "./helpers/leaks.js";

failOnLeaks();
