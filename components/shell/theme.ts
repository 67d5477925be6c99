/** The reader's choice of theme: the system's preference unless they picked one. */
export type ThemeChoice = "system" | "light" | "dark";

export const THEME_STORAGE_KEY = "fd-theme";

export function parseThemeChoice(value: unknown): ThemeChoice {
  return value === "light" || value === "dark" ? value : "system";
}

/**
 * Runs in <head> before the first paint (inline, so no flash of the light theme): applies the saved
 * choice or the system's preference, and follows the system while the choice is "system".
 * Kept as a string because it must run before React and any bundle has loaded.
 */
export const THEME_BOOT_SCRIPT = `(function(){try{var k=${JSON.stringify(THEME_STORAGE_KEY)};var m=window.matchMedia("(prefers-color-scheme: dark)");function apply(){var c=localStorage.getItem(k);var d=c==="dark"||(c!=="light"&&m.matches);document.documentElement.classList.toggle("dark",d);}apply();m.addEventListener("change",apply);window.addEventListener("storage",function(e){if(e.key===k)apply();});}catch(e){}})();`;

const CHANGED = "fd-theme-change";

/** The choice saved in this browser. */
export function savedThemeChoice(): ThemeChoice {
  return parseThemeChoice(localStorage.getItem(THEME_STORAGE_KEY));
}

/** Calls `onChange` when the choice changes here or in another tab. */
export function subscribeThemeChoice(onChange: () => void): () => void {
  window.addEventListener("storage", onChange);
  window.addEventListener(CHANGED, onChange);
  return () => {
    window.removeEventListener("storage", onChange);
    window.removeEventListener(CHANGED, onChange);
  };
}

/** Saves and applies a choice now (the boot script keeps following the system while it is "system"). */
export function applyThemeChoice(choice: ThemeChoice): void {
  if (choice === "system") localStorage.removeItem(THEME_STORAGE_KEY);
  else localStorage.setItem(THEME_STORAGE_KEY, choice);
  const dark = choice === "dark" || (choice === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
  window.dispatchEvent(new Event(CHANGED));
}
