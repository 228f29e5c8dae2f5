// Syntax highlighting for fenced code, with a few common languages registered (loaded
// lazily by markdown.ts).

import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import css from 'highlight.js/lib/languages/css';
import go from 'highlight.js/lib/languages/go';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

const LANGUAGES = {bash, css, go, javascript, json, python, rust, sql, typescript, xml, yaml};
for (const [name, lang] of Object.entries(LANGUAGES)) {
    hljs.registerLanguage(name, lang);
}
const ALIASES: Record<string, string> = {
    sh: 'bash', shell: 'bash', js: 'javascript', jsx: 'javascript', ts: 'typescript', tsx: 'typescript',
    py: 'python', rs: 'rust', html: 'xml', yml: 'yaml', golang: 'go', postgres: 'sql',
};

/** Highlighted HTML (escaped), or null for a language that is not registered. */
export function highlight(code: string, lang: string): string | null {
    const name = ALIASES[lang.toLowerCase()] ?? lang.toLowerCase();
    if (!hljs.getLanguage(name)) {
        return null;
    }
    return hljs.highlight(code, {language: name, ignoreIllegals: true}).value;
}
