//! The crate's modules form layers that import only downwards, and its files import each
//! other without cycles.
//!
//! ARCHITECTURE.md describes the layers: the vocabulary at the bottom (close codes, opcodes,
//! roles, limits, errors), then the wire format, the message rules, the extensions, the
//! engine, the protocol, the handshake, and the connection on top. `LAYERS` below is the one
//! table that says which module belongs to which layer. These tests read every file under
//! `src/` as text and fail when
//!
//! - a module uses a module of a higher layer, or a file's module is in no layer: a low
//!   layer that needs a high one can no longer be read, tested or changed on its own;
//! - a path goes through the crate root (`crate::Name`) to a name that `src/lib.rs` does not
//!   re-export from a module, so that its layer cannot be told;
//! - files import each other in a cycle: such files can only be understood, and moved,
//!   together.
//!
//! The checker has no dependency and no compiler behind it: it strips comments and string
//! literals, finds every path (`use` trees and paths written in code), and resolves each
//! through the `use` declarations of the module it names. The tests at the bottom of this
//! file cover those pieces, so that a regression in the checker fails a test too.
//!
//! What it cannot see: paths that a macro builds from pieces, modules placed by
//! `#[path = ...]`, and `include!`d files; items that a macro defines, so that a glob import
//! of them is not followed (a path to such an item counts as a use of the module named).
//! It reads every file whatever the `cfg` and features, which is the strict choice.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, bottom up: a layer's name and the crate module paths it holds.
///
/// The rule: a module may use its own layer and the layers below it, never a layer above.
/// A module path (`frame`) covers its file (`src/frame.rs` or `src/frame/mod.rs`) and every
/// module under it (`src/frame/...`); a more specific path (`frame::mask`) wins over a less
/// specific one. Every file under `src/` must be covered, except `src/lib.rs`, which only
/// re-exports and may use anything.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "vocabulary",
        &[
            "constants",
            "close_code",
            "opcode",
            "rsv",
            "role",
            "limits",
            "mask_key",
            "error",
            "text",
            "token_list",
        ],
    ),
    ("wire format", &["frame"]),
    ("message rules", &["message"]),
    ("extensions", &["ext"]),
    ("engine", &["receive", "send"]),
    ("protocol", &["protocol"]),
    ("handshake", &["handshake"]),
    ("connection", &["connection"]),
    ("I/O", &["io"]),
];

/// The crate root: it only re-exports, so it may use every layer.
const CRATE_ROOT: &str = "src/lib.rs";

/// A module path from the crate root, one segment per element: `["frame", "decoder"]`.
type ModulePath = Vec<String>;

/// Which file uses which other file, with the line of the first such use.
type Graph = BTreeMap<String, BTreeMap<String, usize>>;

#[test]
fn layers_point_one_way() {
    let files = parse_sources(&read_sources());
    let model = Model::new(&files);
    let failures = check_layers(&files, &model);
    assert!(
        failures.is_empty(),
        "{} layer violation(s) (the layers are the table LAYERS in tests/architecture.rs):\n{}\n",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn no_import_cycles_between_files() {
    let files = parse_sources(&read_sources());
    let model = Model::new(&files);
    let graph = file_graph(&files, &model);
    let failures: Vec<String> = find_cycles(&graph)
        .iter()
        .map(|cycle| describe_cycle(&graph, cycle))
        .collect();
    assert!(
        failures.is_empty(),
        "{} import cycle(s) between files:\n{}\n",
        failures.len(),
        failures.join("\n")
    );
}

// Reading the sources.

/// Every `.rs` file under `src/`, as (path relative to the manifest with `/` separators,
/// text), sorted by path so that the report reads the same on every run.
fn read_sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    collect_rs_files(&root.join("src"), &mut paths);
    let mut sources: Vec<(String, String)> = paths
        .iter()
        .map(|path| {
            let relative = path
                .strip_prefix(root)
                .expect("a file under the manifest dir");
            let name: Vec<String> = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect();
            let name = name.join("/");
            let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("read {name}: {e}"));
            (name, text)
        })
        .collect();
    sources.sort();
    sources
}

/// Adds the `.rs` files under `dir`, at any depth, to `out`.
fn collect_rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            collect_rs_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// The module a file holds: `src/frame/decoder.rs` is `frame::decoder`; a `mod.rs` is the
/// module of its folder (`src/frame/mod.rs` is `frame`) and `src/lib.rs` is the crate root.
fn module_path_of(file: &str) -> ModulePath {
    let inner = file.strip_prefix("src/").unwrap_or(file);
    let inner = inner.strip_suffix(".rs").unwrap_or(inner);
    let mut segments: ModulePath = inner.split('/').map(String::from).collect();
    if segments.last().is_some_and(|last| last == "mod") || segments == ["lib"] {
        segments.pop();
    }
    segments
}

/// One source file, read and parsed.
struct ParsedFile {
    /// Relative to the manifest: `src/frame/decoder.rs`.
    path: String,
    /// The module the file holds.
    module: ModulePath,
    /// Every path written in the file, outside comments and string literals.
    references: Vec<Reference>,
    /// The modules declared inline in the file (`mod tests { ... }`).
    inline_modules: Vec<ModulePath>,
    /// The items the file defines (`fn`, `struct`, ...), each with the module it is in.
    definitions: Vec<(ModulePath, String)>,
}

/// Parses every source: what each file's module is and which paths it writes.
fn parse_sources(sources: &[(String, String)]) -> Vec<ParsedFile> {
    sources
        .iter()
        .map(|(path, text)| {
            let module = module_path_of(path);
            let code = strip_comments_and_strings(text);
            let extracted = extract_references(&module, &code);
            ParsedFile {
                path: path.clone(),
                module,
                references: extracted.references,
                inline_modules: extracted.inline_modules,
                definitions: extracted.definitions,
            }
        })
        .collect()
}

// Stripping comments and string literals.

/// The text with every comment (`//`, `///`, `//!`, nested `/* */`) and every string or
/// character literal blanked out, newlines kept: intra-doc links such as
/// [`X`](crate::X) and strings such as `"crate::"` are not imports, and the line numbers
/// of what remains are unchanged.
fn strip_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        match skipped_span_end(&chars, i) {
            Some(end) => {
                for &c in &chars[i..end] {
                    out.push(if c == '\n' { '\n' } else { ' ' });
                }
                i = end;
            }
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

/// If a comment or a literal starts at `i`, the index just past its end.
fn skipped_span_end(chars: &[char], i: usize) -> Option<usize> {
    let after_ident = i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    match (chars[i], chars.get(i + 1)) {
        ('/', Some('/')) => Some(
            chars[i..]
                .iter()
                .position(|&c| c == '\n')
                .map_or(chars.len(), |n| i + n),
        ),
        ('/', Some('*')) => Some(block_comment_end(chars, i)),
        ('"', _) => Some(quoted_end(chars, i)),
        ('\'', _) => char_literal_end(chars, i),
        ('r' | 'b', _) if !after_ident => raw_string_end(chars, i),
        _ => None,
    }
}

/// The end of the block comment opening at `i`; block comments nest in Rust.
fn block_comment_end(chars: &[char], i: usize) -> usize {
    let (mut j, mut depth) = (i + 2, 1);
    while j < chars.len() && depth > 0 {
        match (chars[j], chars.get(j + 1)) {
            ('/', Some('*')) => (depth, j) = (depth + 1, j + 2),
            ('*', Some('/')) => (depth, j) = (depth - 1, j + 2),
            _ => j += 1,
        }
    }
    j
}

/// The end of the `"..."` literal opening at `i`, escapes included.
fn quoted_end(chars: &[char], i: usize) -> usize {
    let mut j = i + 1;
    while j < chars.len() {
        match chars[j] {
            '\\' => j += 2,
            '"' => return j + 1,
            _ => j += 1,
        }
    }
    chars.len()
}

/// The end of the character literal opening at `i` (`'a'`, `'"'`, `'\''`, `'\u{7f}'`), or
/// `None` for a lifetime or a label (`'a`), which is code.
fn char_literal_end(chars: &[char], i: usize) -> Option<usize> {
    if chars.get(i + 1) == Some(&'\\') {
        let close = chars.get(i + 3..)?.iter().position(|&c| c == '\'')?;
        return Some(i + 3 + close + 1);
    }
    (chars.get(i + 2) == Some(&'\'')).then_some(i + 3)
}

/// The end of the raw string (`r"..."`, `r#"..."#`, `br"..."`) opening at `i`, or `None` if
/// none does (an identifier, or a raw identifier such as `r#type`).
fn raw_string_end(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i + usize::from(chars[i] == 'b');
    if chars.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = chars[j..].iter().take_while(|&&c| c == '#').count();
    j += hashes;
    if chars.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < chars.len() {
        if chars[j] == '"'
            && chars[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == '#')
                .count()
                == hashes
        {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(chars.len())
}

// Tokens and paths.

/// A word (`crate`, `$crate`, `r#type`, `Opcode`), a `::`, or one punctuation character.
#[derive(Debug)]
struct Token {
    text: String,
    line: usize,
}

/// The tokens of stripped code, each with its line (from 1). Numbers become `0`.
fn tokenize(code: &str) -> Vec<Token> {
    let chars: Vec<char> = code.chars().collect();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let (mut tokens, mut line, mut i) = (Vec::new(), 1, 0);
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c == '\n' {
            line += 1;
            i += 1;
            continue;
        } else if c.is_whitespace() {
            i += 1;
            continue;
        } else if word(c) || (c == '$' && chars.get(i + 1).is_some_and(|&n| word(n))) {
            i += 1;
            if c == 'r' && chars.get(i) == Some(&'#') {
                i += 1;
            }
            while i < chars.len() && word(chars[i]) {
                i += 1;
            }
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            i += 2;
        } else {
            i += 1;
        }
        let text: String = chars[start..i].iter().collect();
        let text = if c.is_ascii_digit() { "0".into() } else { text };
        tokens.push(Token { text, line });
    }
    tokens
}

/// Whether a token is a word that can be a path segment.
fn is_ident(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
}

/// The text of the token at `i`, or `""` past the end.
fn text_at(tokens: &[Token], i: usize) -> &str {
    tokens.get(i).map_or("", |token| token.text.as_str())
}

/// How a path was written.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// In code: `crate::ext::write_names(list, f)`.
    Code,
    /// A leaf of a `use` tree; `visible` for `pub use` and `pub(...) use`; `binding` is the
    /// name it brings into scope (its alias, its last segment, or none for `as _` and `*`).
    Use {
        visible: bool,
        binding: Option<String>,
    },
}

/// One path written in a file.
#[derive(Debug, Clone)]
struct Reference {
    line: usize,
    /// The module the path is written in (an inline `mod tests` included), from which
    /// `self` and `super` resolve.
    context: ModulePath,
    /// As written, `use` groups flattened: `["super", "DecoderCore"]`.
    segments: Vec<String>,
    /// A `use ...::*`.
    glob: bool,
    kind: Kind,
}

impl Reference {
    /// The path as written, for messages: `crate::message::decoder::message_opcode`.
    fn written(&self) -> String {
        let path = self.segments.join("::");
        if self.glob {
            format!("{path}::*")
        } else {
            path
        }
    }
}

/// The inline modules (`mod tests { ... }`) open at a point of a file, so that a path
/// resolves from the module it is written in.
struct Scope {
    file_module: ModulePath,
    /// Each open inline module with the brace depth at which it opened.
    open: Vec<(String, usize)>,
    depth: usize,
}

impl Scope {
    /// The module code at this point belongs to.
    fn context(&self) -> ModulePath {
        let mut context = self.file_module.clone();
        context.extend(self.open.iter().map(|(name, _)| name.clone()));
        context
    }

    /// Opens `mod name {`, returning the new module's path.
    fn enter_module(&mut self, name: &str) -> ModulePath {
        self.open.push((name.to_string(), self.depth));
        self.depth += 1;
        self.context()
    }

    /// A `}`: closes an inline module if it is the one that ends here.
    fn close_brace(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        if self
            .open
            .last()
            .is_some_and(|(_, depth)| *depth == self.depth)
        {
            self.open.pop();
        }
    }
}

/// What one file's code declares and uses.
#[derive(Default)]
struct Extracted {
    references: Vec<Reference>,
    inline_modules: Vec<ModulePath>,
    definitions: Vec<(ModulePath, String)>,
}

/// Every path in stripped code (`use` trees, flattened, and paths in code), the inline
/// modules and the items it declares. Paths to other crates are kept too: resolution drops
/// them later, when every module of the crate is known.
fn extract_references(module: &[String], code: &str) -> Extracted {
    let tokens = tokenize(code);
    let mut scope = Scope {
        file_module: module.to_vec(),
        open: Vec::new(),
        depth: 0,
    };
    let mut found = Extracted::default();
    let mut i = 0;
    while i < tokens.len() {
        let text = tokens[i].text.as_str();
        if text == "mod" && is_ident(text_at(&tokens, i + 1)) && text_at(&tokens, i + 2) == "{" {
            found
                .inline_modules
                .push(scope.enter_module(&tokens[i + 1].text));
            i += 3;
        } else if text == "use" {
            i = parse_use_statement(&tokens, i, &scope.context(), &mut found.references);
        } else if starts_path(&tokens, i) {
            i = parse_code_path(&tokens, i, &scope.context(), &mut found.references);
        } else {
            if let Some(name) = defined_name(&tokens, i) {
                found.definitions.push((scope.context(), name.to_string()));
            }
            match text {
                "{" => scope.depth += 1,
                "}" => scope.close_brace(),
                _ => {}
            }
            i += 1;
        }
    }
    found
}

/// The name an item declaration at `i` defines (`struct Name`, `fn name`, `macro_rules!
/// name`), so that a glob import can tell where a name comes from. Methods and associated
/// items are counted too: harmless, they only widen what a glob may name.
fn defined_name(tokens: &[Token], i: usize) -> Option<&str> {
    const ITEMS: &[&str] = &[
        "fn", "struct", "enum", "union", "trait", "type", "const", "static", "mod",
    ];
    const NOT_NAMES: &[&str] = &["fn", "mut", "unsafe", "extern", "async"];
    let name = match text_at(tokens, i) {
        "macro_rules" if text_at(tokens, i + 1) == "!" => text_at(tokens, i + 2),
        item if ITEMS.contains(&item) => text_at(tokens, i + 1),
        _ => return None,
    };
    (is_ident(name) && !NOT_NAMES.contains(&name)).then_some(name)
}

/// Whether a path written in code starts at `i`: `word::word`, not in the middle of one.
fn starts_path(tokens: &[Token], i: usize) -> bool {
    is_ident(text_at(tokens, i))
        && text_at(tokens, i + 1) == "::"
        && is_ident(text_at(tokens, i + 2))
        && (i == 0 || tokens[i - 1].text != "::")
}

/// Reads the code path starting at `i` (up to a `::<` or the end of the words) into `out`;
/// returns the index after it.
fn parse_code_path(
    tokens: &[Token],
    i: usize,
    context: &[String],
    out: &mut Vec<Reference>,
) -> usize {
    let mut segments = vec![tokens[i].text.clone()];
    let mut j = i + 1;
    while text_at(tokens, j) == "::" && is_ident(text_at(tokens, j + 1)) {
        segments.push(tokens[j + 1].text.clone());
        j += 2;
    }
    out.push(Reference {
        line: tokens[i].line,
        context: context.to_vec(),
        segments,
        glob: false,
        kind: Kind::Code,
    });
    j
}

/// One leaf of a `use` tree.
struct UseLeaf {
    segments: Vec<String>,
    glob: bool,
    binding: Option<String>,
    line: usize,
}

/// Reads the `use` declaration at `start` (any visibility, any layout, nested groups) into
/// `out`, one reference per leaf; returns the index after its `;`.
fn parse_use_statement(
    tokens: &[Token],
    start: usize,
    context: &[String],
    out: &mut Vec<Reference>,
) -> usize {
    let visible = is_visible(tokens, start);
    let mut pos = start + 1;
    let mut leaves = Vec::new();
    parse_use_tree(tokens, &mut pos, Vec::new(), &mut leaves);
    for leaf in leaves {
        out.push(Reference {
            line: leaf.line,
            context: context.to_vec(),
            segments: leaf.segments,
            glob: leaf.glob,
            kind: Kind::Use {
                visible,
                binding: leaf.binding,
            },
        });
    }
    while pos < tokens.len() && tokens[pos].text != ";" {
        pos += 1;
    }
    pos + 1
}

/// Whether the `use` at `use_at` is a re-export: `pub use` or `pub(...) use`.
fn is_visible(tokens: &[Token], use_at: usize) -> bool {
    match use_at.checked_sub(1).map(|i| tokens[i].text.as_str()) {
        Some("pub") => true,
        Some(")") => {
            let open = tokens[..use_at].iter().rposition(|token| token.text == "(");
            open.is_some_and(|open| open > 0 && tokens[open - 1].text == "pub")
        }
        _ => false,
    }
}

/// Reads one use tree (`a::b::{c, d::*}`) after `prefix` into `out`.
fn parse_use_tree(tokens: &[Token], pos: &mut usize, prefix: Vec<String>, out: &mut Vec<UseLeaf>) {
    let mut path = prefix;
    if path.is_empty() && text_at(tokens, *pos) == "::" {
        // `use ::name`: another crate, marked so that it never resolves in this one.
        path.push("::".into());
        *pos += 1;
    }
    while let Some(token) = tokens.get(*pos) {
        match token.text.as_str() {
            "*" => {
                *pos += 1;
                let leaf = UseLeaf {
                    segments: path,
                    glob: true,
                    binding: None,
                    line: token.line,
                };
                out.push(leaf);
                return;
            }
            "{" => {
                *pos += 1;
                parse_use_group(tokens, pos, &path, out);
                return;
            }
            text if is_ident(text) => {
                path.push(text.to_string());
                *pos += 1;
                if text_at(tokens, *pos) != "::" {
                    out.push(finish_use_leaf(tokens, pos, path, token.line));
                    return;
                }
                *pos += 1;
            }
            _ => return,
        }
    }
}

/// Reads the trees of a `{ ... }` group, its `{` already read, through its `}`.
fn parse_use_group(tokens: &[Token], pos: &mut usize, prefix: &[String], out: &mut Vec<UseLeaf>) {
    while *pos < tokens.len() {
        match text_at(tokens, *pos) {
            "}" => {
                *pos += 1;
                return;
            }
            "," => *pos += 1,
            _ => {
                let before = *pos;
                parse_use_tree(tokens, pos, prefix.to_vec(), out);
                if *pos == before {
                    *pos += 1;
                }
            }
        }
    }
}

/// A leaf's path (`a::{self}` is `a`) and the name it binds, reading an `as alias`.
fn finish_use_leaf(
    tokens: &[Token],
    pos: &mut usize,
    mut path: Vec<String>,
    line: usize,
) -> UseLeaf {
    if path.len() > 1 && path.last().is_some_and(|last| last == "self") {
        path.pop();
    }
    let mut binding = path.last().cloned();
    if text_at(tokens, *pos) == "as" {
        let alias = text_at(tokens, *pos + 1);
        binding = (alias != "_").then(|| alias.to_string());
        *pos += 2;
    }
    UseLeaf {
        segments: path,
        glob: false,
        binding,
        line,
    }
}

// Resolving paths.

/// What the crate declares: its modules and the names each module's `use` declarations
/// bring into scope, enough to follow a path to the module that defines its item.
#[derive(Default)]
struct Model {
    /// Every module (files and inline modules) and the file that holds it.
    modules: BTreeMap<ModulePath, String>,
    /// For each module, each name a `use` binds there and the absolute path it stands for.
    bindings: BTreeMap<ModulePath, BTreeMap<String, ModulePath>>,
    /// For each module, the modules its `use ...::*` declarations import from.
    globs: BTreeMap<ModulePath, Vec<ModulePath>>,
    /// For each module, the items declared in it.
    definitions: BTreeMap<ModulePath, BTreeSet<String>>,
}

/// Where a path leads: the module that defines (or is) what it names.
#[derive(Debug, PartialEq)]
struct Target {
    module: ModulePath,
    /// The name found in `module` that is not a module or a `use` there: an item it defines
    /// (or one this checker cannot see, if `module` is the crate root).
    item: Option<String>,
}

impl Model {
    /// The modules of the parsed files, then the names their `use` declarations bind.
    fn new(files: &[ParsedFile]) -> Model {
        let mut model = Model::default();
        for file in files {
            model.modules.insert(file.module.clone(), file.path.clone());
        }
        for file in files {
            for inline in &file.inline_modules {
                model
                    .modules
                    .entry(inline.clone())
                    .or_insert_with(|| file.path.clone());
            }
            for (module, name) in &file.definitions {
                model
                    .definitions
                    .entry(module.clone())
                    .or_default()
                    .insert(name.clone());
            }
        }
        for reference in files.iter().flat_map(|file| &file.references) {
            model.add_binding(reference);
        }
        model
    }

    /// Records what a `use` leaf binds in its module, if it points into this crate.
    fn add_binding(&mut self, reference: &Reference) {
        let Kind::Use { binding, .. } = &reference.kind else {
            return;
        };
        let Some(target) = self.absolutize(&reference.context, &reference.segments) else {
            return;
        };
        let context = reference.context.clone();
        if reference.glob {
            self.globs.entry(context).or_default().push(target);
        } else if let Some(name) = binding {
            self.bindings
                .entry(context)
                .or_default()
                .insert(name.clone(), target);
        }
    }

    /// The path from the crate root: `crate::`, `self::`, `super::` (repeatable) and a child
    /// module's name resolve from `context`; `None` for a path into another crate, or to a
    /// name in scope that is not a module of this crate (`Opcode::Text`, `std::fmt`).
    fn absolutize(&self, context: &[String], segments: &[String]) -> Option<ModulePath> {
        let (first, mut rest) = segments.split_first()?;
        let mut base: ModulePath = match first.as_str() {
            "crate" | "$crate" => Vec::new(),
            "self" => context.to_vec(),
            "super" => parent(context)?,
            name => {
                let child = [context, &[name.to_string()]].concat();
                self.modules.contains_key(&child).then_some(child)?
            }
        };
        while let Some((next, tail)) = rest.split_first() {
            if next != "super" {
                break;
            }
            base = parent(&base)?;
            rest = tail;
        }
        base.extend(rest.iter().cloned());
        Some(base)
    }

    /// Follows an absolute path down the modules and through the `use` bindings it meets
    /// (`crate::Opcode` -> `frame::Opcode` -> `frame::opcode::Opcode`) to the module that
    /// defines what it names.
    fn resolve(&self, path: &[String]) -> Target {
        self.resolve_within(path, 0)
    }

    /// [`Model::resolve`], giving up on chains of bindings longer than any real one.
    fn resolve_within(&self, path: &[String], hops: usize) -> Target {
        let mut module = ModulePath::new();
        for (k, segment) in path.iter().enumerate() {
            let child = [module.as_slice(), std::slice::from_ref(segment)].concat();
            if self.modules.contains_key(&child) {
                module = child;
                continue;
            }
            if let Some(mut next) = self.lookup(&module, segment).filter(|_| hops < 16) {
                next.extend_from_slice(&path[k + 1..]);
                return self.resolve_within(&next, hops + 1);
            }
            return Target {
                module,
                item: Some(segment.clone()),
            };
        }
        Target { module, item: None }
    }

    /// What `name` stands for in `module` through a `use` there, as Rust looks it up: a
    /// named binding, else (unless `module` declares `name` itself) a module, binding or
    /// item of a glob-imported module. `None`: the name is `module`'s own.
    fn lookup(&self, module: &[String], name: &str) -> Option<ModulePath> {
        if let Some(target) = self.bindings.get(module).and_then(|names| names.get(name)) {
            return Some(target.clone());
        }
        if self.defines(module, name) {
            return None;
        }
        self.globs.get(module)?.iter().find_map(|source| {
            let child = [source.as_slice(), &[name.to_string()]].concat();
            if self.modules.contains_key(&child) || self.defines(source, name) {
                return Some(child);
            }
            self.bindings.get(source)?.get(name).cloned()
        })
    }

    /// Whether `module` declares an item called `name`.
    fn defines(&self, module: &[String], name: &str) -> bool {
        self.definitions
            .get(module)
            .is_some_and(|names| names.contains(name))
    }

    /// The file that holds a module.
    fn file_of(&self, module: &[String]) -> Option<&str> {
        self.modules.get(module).map(String::as_str)
    }

    /// Where a reference leads, or `None` if it leaves the crate.
    fn target_of(&self, reference: &Reference) -> Option<Target> {
        let path = self.absolutize(&reference.context, &reference.segments)?;
        Some(self.resolve(&path))
    }
}

/// The enclosing module, or `None` at the crate root.
fn parent(module: &[String]) -> Option<ModulePath> {
    let (_, parent) = module.split_last()?;
    Some(parent.to_vec())
}

/// `crate::a::b` for messages (`crate` for the root).
fn display_module(module: &[String]) -> String {
    std::iter::once("crate")
        .chain(module.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("::")
}

// Checking the layers.

/// The layer (its index in `LAYERS`) of a module.
fn layer_of(module: &[String]) -> Option<usize> {
    layer_in(LAYERS, module)
}

/// The layer of a module in `table`: that of the most specific entry that is the module
/// or one of its ancestors.
fn layer_in(table: &[(&str, &[&str])], module: &[String]) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (layer, (_, paths)) in table.iter().enumerate() {
        for path in *paths {
            let entry: Vec<&str> = path.split("::").collect();
            let covers =
                module.len() >= entry.len() && module.iter().zip(&entry).all(|(a, b)| a == b);
            if covers && best.is_none_or(|(_, len)| entry.len() > len) {
                best = Some((layer, entry.len()));
            }
        }
    }
    best.map(|(layer, _)| layer)
}

/// `layer 1 (wire format)`.
fn describe_layer(layer: usize) -> String {
    format!("layer {layer} ({})", LAYERS[layer].0)
}

/// Every layer violation, in file and line order: files in no layer, paths to names the
/// crate root does not re-export from a module, and uses of a higher layer.
fn check_layers(files: &[ParsedFile], model: &Model) -> Vec<String> {
    let mut failures = Vec::new();
    for file in files.iter().filter(|file| file.path != CRATE_ROOT) {
        let from = layer_of(&file.module);
        if from.is_none() {
            failures.push(format!(
                "{}: module {} is in no layer: add it to the table LAYERS in tests/architecture.rs",
                file.path,
                display_module(&file.module)
            ));
        }
        for reference in &file.references {
            let Some(target) = model.target_of(reference) else {
                continue;
            };
            let at = format!(
                "{}:{} uses {}",
                file.path,
                reference.line,
                reference.written()
            );
            if target.module.is_empty() {
                failures.push(unresolvable(&at, &target));
            } else if let (Some(from), Some(to)) = (from, layer_of(&target.module))
                && to > from
            {
                let rule = format!(
                    "{} must not use {}",
                    describe_layer(from),
                    describe_layer(to)
                );
                failures.push(format!("{at}: {rule}"));
            }
        }
    }
    failures
}

/// The message for a path that ends at the crate root, whose layer cannot be told.
fn unresolvable(at: &str, target: &Target) -> String {
    match &target.item {
        Some(item) => format!(
            "{at}: cannot resolve `{item}`: {CRATE_ROOT} does not re-export it from a module; \
             import it from the module that defines it"
        ),
        None => format!("{at}: uses the crate root as a whole; import from the modules instead"),
    }
}

// Finding cycles.

/// Which file uses which, from every resolved reference except those that stay in the same
/// file and a module's re-exports of its own children (`pub use child::Name` in a `mod.rs`),
/// which would otherwise tie every `mod.rs` to its children in a cycle.
fn file_graph(files: &[ParsedFile], model: &Model) -> Graph {
    let mut graph = Graph::new();
    for file in files {
        let edges = graph.entry(file.path.clone()).or_default();
        for reference in &file.references {
            let Some(target) = model.target_of(reference) else {
                continue;
            };
            let own_child =
                target.module.len() > file.module.len() && target.module.starts_with(&file.module);
            let reexport = matches!(reference.kind, Kind::Use { visible: true, .. });
            if target.module.is_empty() || (reexport && own_child) {
                continue;
            }
            match model.file_of(&target.module) {
                Some(to) if to != file.path => {
                    edges.entry(to.to_string()).or_insert(reference.line);
                }
                _ => {}
            }
        }
    }
    graph
}

/// The strongly connected components of more than one file (Tarjan's algorithm): each is a
/// knot of files that all reach each other, sorted.
fn find_cycles(graph: &Graph) -> Vec<Vec<String>> {
    let mut tarjan = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        cycles: Vec::new(),
    };
    for node in graph.keys() {
        if !tarjan.index.contains_key(node.as_str()) {
            tarjan.visit(node);
        }
    }
    tarjan.cycles.sort();
    tarjan.cycles
}

/// The state of one run of Tarjan's algorithm.
struct Tarjan<'g> {
    graph: &'g Graph,
    index: BTreeMap<&'g str, usize>,
    low: BTreeMap<&'g str, usize>,
    stack: Vec<&'g str>,
    cycles: Vec<Vec<String>>,
}

impl<'g> Tarjan<'g> {
    /// Visits `node` and what it reaches, collecting each component when its root is done.
    fn visit(&mut self, node: &'g str) {
        let order = self.index.len();
        self.index.insert(node, order);
        self.low.insert(node, order);
        self.stack.push(node);
        let graph = self.graph;
        for next in graph.get(node).into_iter().flat_map(|edges| edges.keys()) {
            let next = next.as_str();
            if !self.index.contains_key(next) {
                self.visit(next);
                let low = self.low[node].min(self.low[next]);
                self.low.insert(node, low);
            } else if self.stack.contains(&next) {
                let low = self.low[node].min(self.index[next]);
                self.low.insert(node, low);
            }
        }
        if self.low[node] == self.index[node] {
            let at = self
                .stack
                .iter()
                .rposition(|&n| n == node)
                .expect("node on the stack");
            let mut component: Vec<String> = self.stack.drain(at..).map(String::from).collect();
            if component.len() > 1 {
                component.sort();
                self.cycles.push(component);
            }
        }
    }
}

/// A knot of files and every use between them, with its line, so that the maintainer
/// sees where to cut it.
fn describe_cycle(graph: &Graph, files: &[String]) -> String {
    let mut uses = Vec::new();
    for from in files {
        for (to, line) in graph.get(from).into_iter().flatten() {
            if files.contains(to) {
                uses.push(format!("{from}:{line} uses {to}"));
            }
        }
    }
    format!(
        "cycle between {}:\n    {}",
        files.join(", "),
        uses.join("\n    ")
    )
}

// Tests of the checker itself.

/// Parses in-memory files as `parse_sources` parses `src/`.
fn parse_texts(files: &[(&str, &str)]) -> Vec<ParsedFile> {
    let sources: Vec<(String, String)> = files
        .iter()
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect();
    parse_sources(&sources)
}

/// `a::b::c` as a path.
fn segments(path: &str) -> Vec<String> {
    if path.is_empty() {
        return Vec::new();
    }
    path.split("::").map(String::from).collect()
}

#[test]
fn module_paths_of_files() {
    assert_eq!(module_path_of("src/lib.rs"), segments(""));
    assert_eq!(module_path_of("src/frame/mod.rs"), segments("frame"));
    assert_eq!(module_path_of("src/frame.rs"), segments("frame"));
    assert_eq!(
        module_path_of("src/frame/decoder.rs"),
        segments("frame::decoder")
    );
    assert_eq!(
        module_path_of("src/frame/decoder/direct.rs"),
        segments("frame::decoder::direct")
    );
}

#[test]
fn strips_comments_and_strings_but_keeps_lines() {
    let text = "use crate::a::B; // crate::c\n\
                /// [`X`](crate::x::X)\n\
                //! crate::y\n\
                /* crate::d /* nested crate::e */ crate::f */ let q = '\"';\n\
                let s = \"crate::g \\\" crate::h\"; let r = r#\"crate::i \" crate::j\"#;\n\
                fn f<'a>(x: &'a str) -> char { let b = b'x'; crate::k::l(x); '\\'' }\n";
    let stripped = strip_comments_and_strings(text);
    assert_eq!(stripped.lines().count(), text.lines().count());
    let kept: Vec<&str> = stripped.matches("crate::").collect();
    assert_eq!(kept.len(), 2, "{stripped}");
    assert!(
        stripped
            .lines()
            .next()
            .unwrap()
            .contains("use crate::a::B;")
    );
    assert!(stripped.lines().nth(5).unwrap().contains("crate::k::l(x)"));
    assert!(stripped.contains("fn f<'a>(x: &'a str)"));
}

#[test]
fn flattens_nested_multi_line_use_groups() {
    let code = "pub(crate) use crate::a::{\n    b::{C, d::E},\n    self,\n    f as g,\n    h::*,\n};\nuse std::fmt;\n";
    let references = extract_references(&segments("m"), code).references;
    let written: Vec<String> = references.iter().map(Reference::written).collect();
    assert_eq!(
        written,
        [
            "crate::a::b::C",
            "crate::a::b::d::E",
            "crate::a",
            "crate::a::f",
            "crate::a::h::*",
            "std::fmt"
        ]
    );
    assert_eq!(references[0].line, 2);
    assert_eq!(references[3].line, 4);
    assert_eq!(
        references[3].kind,
        Kind::Use {
            visible: true,
            binding: Some("g".into())
        }
    );
    assert_eq!(
        references[2].kind,
        Kind::Use {
            visible: true,
            binding: Some("a".into())
        }
    );
    assert_eq!(
        references[5].kind,
        Kind::Use {
            visible: false,
            binding: Some("fmt".into())
        }
    );
}

#[test]
fn finds_paths_written_in_code() {
    let code = "fn f() -> Result<(), crate::SendError> {\n    let v = Vec::<u8>::new(); let w = std::mem::take(&mut v);\n    crate::handshake::header_value::extension_name(x);\n    Err(crate::SendError::Foo)\n}\n";
    let references = extract_references(&segments("m"), code).references;
    let written: Vec<(usize, String)> = references.iter().map(|r| (r.line, r.written())).collect();
    assert_eq!(
        written,
        [
            (1, "crate::SendError".to_string()),
            (2, "std::mem::take".to_string()),
            (
                3,
                "crate::handshake::header_value::extension_name".to_string()
            ),
            (4, "crate::SendError::Foo".to_string()),
        ]
    );
}

#[test]
fn super_and_self_resolve_from_the_module_written_in() {
    let files = parse_texts(&[
        ("src/lib.rs", "mod frame;"),
        ("src/frame/mod.rs", "mod decoder; use super::x::Y;"),
        (
            "src/frame/decoder.rs",
            "mod direct; use super::Z; use self::direct::W;\nmod tests { use super::*; }",
        ),
        (
            "src/frame/decoder/direct.rs",
            "use super::super::V; use super::Core;",
        ),
    ]);
    let model = Model::new(&files);
    let absolute = |file: usize, n: usize| {
        let reference = &files[file].references[n];
        model.absolutize(&reference.context, &reference.segments)
    };
    assert_eq!(absolute(1, 0), Some(segments("x::Y")));
    assert_eq!(absolute(2, 0), Some(segments("frame::Z")));
    assert_eq!(absolute(2, 1), Some(segments("frame::decoder::direct::W")));
    assert_eq!(absolute(2, 2), Some(segments("frame::decoder")));
    assert_eq!(absolute(3, 0), Some(segments("frame::V")));
    assert_eq!(absolute(3, 1), Some(segments("frame::decoder::Core")));
}

#[test]
fn resolves_reexports_to_the_defining_module() {
    let files = parse_texts(&[
        (
            "src/lib.rs",
            "mod frame; mod ext; pub use frame::{Opcode, Frame as F}; pub use ext::deflate;",
        ),
        (
            "src/frame/mod.rs",
            "mod opcode; mod payload; pub use opcode::Opcode; pub use payload::*;",
        ),
        ("src/frame/opcode.rs", "pub enum Opcode { Text }"),
        (
            "src/frame/payload.rs",
            "pub use crate::frame::opcode::Opcode as Op; pub struct Frame;",
        ),
        ("src/ext/mod.rs", "pub mod deflate;"),
        ("src/ext/deflate.rs", "pub struct Params;"),
    ]);
    let model = Model::new(&files);
    let module_of = |path: &str| model.resolve(&segments(path)).module;
    assert_eq!(module_of("Opcode::Text"), segments("frame::opcode"));
    assert_eq!(module_of("frame::Opcode"), segments("frame::opcode"));
    assert_eq!(module_of("frame::Op"), segments("frame::opcode"));
    assert_eq!(
        module_of("frame::payload::Frame"),
        segments("frame::payload")
    );
    assert_eq!(module_of("deflate::Params"), segments("ext::deflate"));
    assert_eq!(module_of("F"), segments("frame::payload"));
    assert_eq!(
        model.resolve(&segments("Missing::new")),
        Target {
            module: Vec::new(),
            item: Some("Missing".into())
        }
    );
}

#[test]
fn reports_upward_uses_unresolvable_paths_and_unlisted_files() {
    let files = parse_texts(&[
        (
            "src/lib.rs",
            "mod frame; mod message; mod legacy; pub use message::Kind;",
        ),
        (
            "src/frame.rs",
            "use crate::message::Kind;\nfn f() { crate::Nowhere::x(); }",
        ),
        (
            "src/message.rs",
            "use crate::frame::Thing; pub enum Kind {}",
        ),
        ("src/legacy.rs", ""),
    ]);
    let failures = check_layers(&files, &Model::new(&files));
    assert_eq!(failures.len(), 3, "{failures:#?}");
    assert_eq!(
        failures[0],
        "src/frame.rs:1 uses crate::message::Kind: layer 1 (wire format) must not use layer 2 (message rules)"
    );
    assert!(
        failures[1].starts_with("src/frame.rs:2 uses crate::Nowhere::x: cannot resolve `Nowhere`")
    );
    assert!(failures[2].starts_with("src/legacy.rs: module crate::legacy is in no layer"));
}

#[test]
fn graph_skips_reexports_of_children_and_self_references() {
    let files = parse_texts(&[
        ("src/lib.rs", "mod frame;"),
        (
            "src/frame/mod.rs",
            "mod opcode; mod header; pub use opcode::Opcode; fn f() { header::parse(); }",
        ),
        (
            "src/frame/opcode.rs",
            "pub enum Opcode {}\nfn f() { crate::frame::Opcode::Text; super::header::parse(); }",
        ),
        ("src/frame/header.rs", "use super::Opcode;"),
    ]);
    let graph = file_graph(&files, &Model::new(&files));
    let edges = |file: &str| graph[file].keys().cloned().collect::<Vec<_>>();
    assert_eq!(edges("src/frame/mod.rs"), ["src/frame/header.rs"]);
    assert_eq!(edges("src/frame/opcode.rs"), ["src/frame/header.rs"]);
    assert_eq!(edges("src/frame/header.rs"), ["src/frame/opcode.rs"]);
    assert!(edges("src/lib.rs").is_empty());
}

#[test]
fn finds_cycles_in_a_small_graph() {
    let mut graph = Graph::new();
    for (from, to, line) in [
        ("a", "b", 1),
        ("b", "c", 2),
        ("c", "a", 3),
        ("c", "d", 4),
        ("d", "e", 5),
        ("e", "d", 6),
        ("f", "a", 7),
    ] {
        graph
            .entry(from.into())
            .or_default()
            .insert(to.into(), line);
    }
    let cycles = find_cycles(&graph);
    assert_eq!(cycles, [vec!["a", "b", "c"], vec!["d", "e"]]);
    assert_eq!(
        describe_cycle(&graph, &cycles[0]),
        "cycle between a, b, c:\n    a:1 uses b\n    b:2 uses c\n    c:3 uses a"
    );
    graph.clear();
    graph.entry("x".into()).or_default().insert("y".into(), 1);
    assert!(find_cycles(&graph).is_empty());
}

#[test]
fn layer_table_covers_by_most_specific_entry_and_names_each_module_once() {
    assert_eq!(layer_of(&segments("frame")), Some(1));
    assert_eq!(layer_of(&segments("frame::decoder::direct")), Some(1));
    assert_eq!(layer_of(&segments("framework")), None);
    assert_eq!(layer_of(&segments("connection::tests")), Some(7));
    let table: &[(&str, &[&str])] = &[("low", &["frame::mask"]), ("high", &["frame"])];
    assert_eq!(layer_in(table, &segments("frame::mask::tests")), Some(0));
    assert_eq!(layer_in(table, &segments("frame::maskless")), Some(1));
    let mut seen = BTreeSet::new();
    for path in LAYERS.iter().flat_map(|(_, paths)| paths.iter()) {
        assert!(seen.insert(*path), "{path} is in LAYERS twice");
    }
}
