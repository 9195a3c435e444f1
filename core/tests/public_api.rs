//! The public API of the `vigil` crate, listed from its source and compared with the committed
//! `core/public-api.txt`, so that every change to what embedders can name shows up in review.
//!
//! The listing follows `pub mod` and `pub use` from `src/lib.rs` (items under `#[cfg(test)]` are
//! left out) and prints one line per public path: items with their signatures, the public fields
//! and variants of types, the public methods and associated constants of inherent impls, and the
//! trait impls and derives of public types. It also checks the crate's rule: every item is public
//! at one path only.
//!
//! After a deliberate change, bless the new listing:
//!
//! ```sh
//! VIGIL_BLESS=1 cargo test -p vigil --test public_api
//! ```
//!
//! This reads the source with `syn` on stable Rust: tools that read rustdoc's JSON output
//! (`cargo public-api`, `cargo semver-checks`) need a nightly toolchain. Types in signatures are
//! printed as the source spells them.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use quote::ToTokens;
use syn::visit_mut::VisitMut;
use syn::{Attribute, Fields, ImplItem, Item, UseTree, Visibility};

/// Index of a module in [`Crate::modules`].
type ModId = usize;

/// An item of the crate, by the module that defines it and its index among that module's items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Def {
    module: ModId,
    item: usize,
}

/// What a name in a module's scope stands for.
#[derive(Debug, Clone)]
enum Binding {
    /// An item defined in the module (a child module among them).
    Item { index: usize, public: bool },
    /// A child module declared in the module.
    Module { id: ModId, public: bool },
    /// A `use` import: the path, relative to the module, and whether it is `pub`.
    Import { path: Vec<String>, public: bool },
    /// A glob import (`use path::*`).
    Glob { path: Vec<String>, public: bool },
}

struct Module {
    parent: Option<ModId>,
    items: Vec<Item>,
    /// Bindings by name (a name can be bound in both the type and the value namespace).
    names: BTreeMap<String, Vec<Binding>>,
    globs: Vec<Binding>,
}

/// What a path resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Target {
    Module(ModId),
    Item(Def),
}

struct Crate {
    modules: Vec<Module>,
}

fn is_cfg_test(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg") && a.meta.to_token_stream().to_string().replace(' ', "") == "cfg(test)"
    })
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

impl Crate {
    fn load(lib: &Path) -> Crate {
        let mut krate = Crate { modules: Vec::new() };
        let dir = lib.parent().expect("src/lib.rs has a directory").to_path_buf();
        krate.load_file(lib, dir, None);
        krate
    }

    /// Loads a module from a file; `dir` is where its child modules' files are.
    fn load_file(&mut self, file: &Path, dir: PathBuf, parent: Option<ModId>) -> ModId {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let parsed = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        self.load_items(parsed.items, dir, parent)
    }

    fn load_items(&mut self, items: Vec<Item>, dir: PathBuf, parent: Option<ModId>) -> ModId {
        let id = self.modules.len();
        self.modules.push(Module {
            parent,
            items: Vec::new(),
            names: BTreeMap::new(),
            globs: Vec::new(),
        });
        let items: Vec<Item> = items
            .into_iter()
            .filter(|i| !is_cfg_test(item_attrs(i)))
            .collect();
        let mut names: BTreeMap<String, Vec<Binding>> = BTreeMap::new();
        let mut globs = Vec::new();
        for (index, item) in items.iter().enumerate() {
            match item {
                Item::Mod(m) => {
                    let name = m.ident.to_string();
                    let child_dir = dir.join(&name);
                    let child = match &m.content {
                        Some((_, inner)) => self.load_items(inner.clone(), child_dir, Some(id)),
                        None => {
                            let flat = dir.join(format!("{name}.rs"));
                            let nested = dir.join(&name).join("mod.rs");
                            let file = if flat.exists() { flat } else { nested };
                            self.load_file(&file, child_dir, Some(id))
                        }
                    };
                    names.entry(name).or_default().push(Binding::Module {
                        id: child,
                        public: is_pub(&m.vis),
                    });
                }
                Item::Use(u) => {
                    let mut out = Vec::new();
                    flatten_use(&u.tree, Vec::new(), &mut out);
                    for (name, path) in out {
                        let public = is_pub(&u.vis);
                        match name {
                            Some(name) => names
                                .entry(name)
                                .or_default()
                                .push(Binding::Import { path, public }),
                            None => globs.push(Binding::Glob { path, public }),
                        }
                    }
                }
                other => {
                    if let Some((name, vis)) = item_name(other) {
                        names.entry(name).or_default().push(Binding::Item {
                            index,
                            public: is_pub(vis),
                        });
                    }
                }
            }
        }
        let m = &mut self.modules[id];
        m.items = items;
        m.names = names;
        m.globs = globs;
        id
    }

    /// Resolves a path as written in module `from` (a `use` path or a type path).
    fn resolve(&self, from: ModId, path: &[String], depth: usize) -> Vec<Target> {
        if depth > 32 || path.is_empty() {
            return Vec::new();
        }
        let (mut here, rest) = match path[0].as_str() {
            "crate" => (vec![Target::Module(0)], &path[1..]),
            "self" => (vec![Target::Module(from)], &path[1..]),
            "super" => match self.modules[from].parent {
                Some(p) => (vec![Target::Module(p)], &path[1..]),
                None => return Vec::new(),
            },
            _ => (vec![Target::Module(from)], path),
        };
        for (i, seg) in rest.iter().enumerate() {
            let last = i + 1 == rest.len();
            let mut next = Vec::new();
            for t in &here {
                let Target::Module(m) = *t else { continue };
                if seg == "self" {
                    next.push(*t);
                    continue;
                }
                if seg == "super" {
                    if let Some(p) = self.modules[m].parent {
                        next.push(Target::Module(p));
                    }
                    continue;
                }
                for found in self.lookup(m, seg, depth) {
                    if last || matches!(found, Target::Module(_)) {
                        next.push(found);
                    }
                }
            }
            next.sort();
            next.dedup();
            here = next;
            if here.is_empty() {
                break;
            }
        }
        here
    }

    /// What `name` stands for in module `m` (items, imports, then globs).
    fn lookup(&self, m: ModId, name: &str, depth: usize) -> Vec<Target> {
        let module = &self.modules[m];
        let mut out = Vec::new();
        if let Some(bindings) = module.names.get(name) {
            for b in bindings {
                match b {
                    Binding::Item { index, .. } => out.push(Target::Item(Def {
                        module: m,
                        item: *index,
                    })),
                    Binding::Module { id, .. } => out.push(Target::Module(*id)),
                    Binding::Import { path, .. } => out.extend(self.resolve(m, path, depth + 1)),
                    Binding::Glob { .. } => {}
                }
            }
        }
        if out.is_empty() {
            for g in &module.globs {
                if let Binding::Glob { path, .. } = g {
                    for t in self.resolve(m, path, depth + 1) {
                        if let Target::Module(gm) = t {
                            out.extend(self.lookup(gm, name, depth + 1));
                        }
                    }
                }
            }
        }
        out
    }

    /// The names module `m` makes public, with what they stand for.
    fn public_names(&self, m: ModId) -> BTreeMap<String, Vec<Target>> {
        let module = &self.modules[m];
        let mut out: BTreeMap<String, Vec<Target>> = BTreeMap::new();
        for (name, bindings) in &module.names {
            for b in bindings {
                let targets = match b {
                    Binding::Item { index, public: true } => vec![Target::Item(Def {
                        module: m,
                        item: *index,
                    })],
                    Binding::Module { id, public: true } => vec![Target::Module(*id)],
                    Binding::Import { path, public: true } => self.resolve(m, path, 0),
                    _ => Vec::new(),
                };
                out.entry(name.clone()).or_default().extend(targets);
            }
        }
        for g in &module.globs {
            if let Binding::Glob { path, public: true } = g {
                for t in self.resolve(m, path, 0) {
                    if let Target::Module(gm) = t {
                        for (name, targets) in self.public_names(gm) {
                            out.entry(name).or_default().extend(targets);
                        }
                    }
                }
            }
        }
        out.retain(|_, v| {
            v.sort();
            v.dedup();
            !v.is_empty()
        });
        out
    }

    fn item(&self, d: Def) -> &Item {
        &self.modules[d.module].items[d.item]
    }
}

fn item_attrs(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        _ => &[],
    }
}

fn item_name(item: &Item) -> Option<(String, &Visibility)> {
    Some(match item {
        Item::Const(i) => (i.ident.to_string(), &i.vis),
        Item::Enum(i) => (i.ident.to_string(), &i.vis),
        Item::Fn(i) => (i.sig.ident.to_string(), &i.vis),
        Item::Static(i) => (i.ident.to_string(), &i.vis),
        Item::Struct(i) => (i.ident.to_string(), &i.vis),
        Item::Trait(i) => (i.ident.to_string(), &i.vis),
        Item::Type(i) => (i.ident.to_string(), &i.vis),
        Item::Union(i) => (i.ident.to_string(), &i.vis),
        _ => return None,
    })
}

/// The names a `use` tree binds (`None` for a glob) with their paths.
fn flatten_use(tree: &UseTree, prefix: Vec<String>, out: &mut Vec<(Option<String>, Vec<String>)>) {
    let with = |s: String| {
        let mut p = prefix.clone();
        p.push(s);
        p
    };
    match tree {
        UseTree::Path(p) => flatten_use(&p.tree, with(p.ident.to_string()), out),
        UseTree::Name(n) => {
            let name = n.ident.to_string();
            if name == "self" {
                if let Some(last) = prefix.last() {
                    out.push((Some(last.clone()), prefix.clone()));
                }
            } else {
                out.push((Some(name.clone()), with(name)));
            }
        }
        UseTree::Rename(r) => {
            let path = if r.ident == "self" {
                prefix.clone()
            } else {
                with(r.ident.to_string())
            };
            out.push((Some(r.rename.to_string()), path));
        }
        UseTree::Glob(_) => out.push((None, prefix)),
        UseTree::Group(g) => {
            for t in &g.items {
                flatten_use(t, prefix.clone(), out);
            }
        }
    }
}

/// Tokens as text, with the spacing of `quote` tidied up.
fn tidy(tokens: impl ToTokens) -> String {
    let mut s = tokens.to_token_stream().to_string();
    for (from, to) in [
        (" :: ", "::"),
        (":: ", "::"),
        (" ::", "::"),
        (" ,", ","),
        (" ;", ";"),
        (" < ", "<"),
        ("< ", "<"),
        (" <", "<"),
        (" >", ">"),
        ("( ", "("),
        (" )", ")"),
        ("[ ", "["),
        (" ]", "]"),
        ("& '", "&'"),
        ("& ", "&"),
        (" : ", ": "),
        ("? ", "?"),
        ("# [", "#["),
        (" !", "!"),
    ] {
        while s.contains(from) {
            s = s.replace(from, to);
        }
    }
    s.replace("->", " -> ").replace("  ", " ")
}

/// Rewrites the paths of a signature to the public paths of the crate's items (`Level` and
/// `crate::Level` both become `vigil::Level`), so the listing does not depend on how the source
/// spells a type, and notes paths to items that are not public.
struct Canon<'a> {
    krate: &'a Crate,
    module: ModId,
    canonical: &'a HashMap<Def, String>,
    private_seen: bool,
}

impl VisitMut for Canon<'_> {
    fn visit_type_path_mut(&mut self, tp: &mut syn::TypePath) {
        syn::visit_mut::visit_type_path_mut(self, tp);
        if tp.qself.is_some() {
            return;
        }
        let segs: Vec<String> = tp.path.segments.iter().map(|s| s.ident.to_string()).collect();
        let defs: Vec<Def> = self
            .krate
            .resolve(self.module, &segs, 0)
            .into_iter()
            .filter_map(|t| match t {
                Target::Item(d) => Some(d),
                Target::Module(_) => None,
            })
            .collect();
        let Some(d) = defs.first() else { return };
        let Some(public) = self.canonical.get(d) else {
            self.private_seen = true;
            return;
        };
        let Ok(mut path) = syn::parse_str::<syn::Path>(public) else {
            return;
        };
        if let (Some(last), Some(orig)) = (path.segments.last_mut(), tp.path.segments.last()) {
            last.arguments = orig.arguments.clone();
        }
        tp.path = path;
    }
}

/// One line of the listing, grouped under the item it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Line {
    /// The public path of the item (a field or method is listed under its type).
    owner: String,
    /// 0 the item, 1 its fields and variants, 2 its methods and constants, 3 trait impls.
    rank: u8,
    text: String,
}

struct Printer<'a> {
    krate: &'a Crate,
    canonical: &'a HashMap<Def, String>,
    out: Vec<Line>,
}

impl Printer<'_> {
    /// `node` as text, its paths rewritten as seen from `module`; `None` when it names an item
    /// that is not public.
    fn canon<T: ToTokens + Clone>(
        &self,
        module: ModId,
        node: &T,
        visit: fn(&mut Canon<'_>, &mut T),
    ) -> (String, bool) {
        let mut node = node.clone();
        let mut c = Canon {
            krate: self.krate,
            module,
            canonical: self.canonical,
            private_seen: false,
        };
        visit(&mut c, &mut node);
        (tidy(&node), c.private_seen)
    }

    fn ty(&self, module: ModId, t: &syn::Type) -> String {
        self.canon(module, t, |c, t| c.visit_type_mut(t)).0
    }

    fn push(&mut self, owner: &str, rank: u8, text: String) {
        self.out.push(Line {
            owner: owner.to_string(),
            rank,
            text,
        });
    }

    fn signature(&self, module: ModId, sig: &syn::Signature, path: &str) -> String {
        let mut sig = sig.clone();
        let mut c = Canon {
            krate: self.krate,
            module,
            canonical: self.canonical,
            private_seen: false,
        };
        c.visit_signature_mut(&mut sig);
        let mut out = String::from("pub ");
        if sig.constness.is_some() {
            out.push_str("const ");
        }
        if sig.asyncness.is_some() {
            out.push_str("async ");
        }
        if sig.unsafety.is_some() {
            out.push_str("unsafe ");
        }
        // `mut` on a binding is not part of the API.
        let inputs: Vec<String> = sig
            .inputs
            .iter()
            .map(|i| tidy(i).trim_start_matches("mut ").to_string())
            .collect();
        let _ = write!(out, "fn {path}{}({})", tidy(&sig.generics), inputs.join(", "));
        if let syn::ReturnType::Type(_, t) = &sig.output {
            let _ = write!(out, " -> {}", tidy(t));
        }
        if let Some(w) = &sig.generics.where_clause {
            let _ = write!(out, " {}", tidy(w));
        }
        out
    }

    fn fields(&mut self, module: ModId, owner: &str, f: &Fields) {
        match f {
            Fields::Named(named) => {
                for field in &named.named {
                    if is_pub(&field.vis) {
                        let name = field.ident.as_ref().map(|i| i.to_string()).unwrap_or_default();
                        let line = format!("pub {owner}::{name}: {}", self.ty(module, &field.ty));
                        self.push(owner, 1, line);
                    }
                }
            }
            Fields::Unnamed(unnamed) => {
                for (i, field) in unnamed.unnamed.iter().enumerate() {
                    if is_pub(&field.vis) {
                        let line = format!("pub {owner}::{i}: {}", self.ty(module, &field.ty));
                        self.push(owner, 1, line);
                    }
                }
            }
            Fields::Unit => {}
        }
    }

    /// The traits an item derives.
    fn derives(&mut self, attrs: &[Attribute], owner: &str, generics: &syn::Generics) {
        for a in attrs {
            if !a.path().is_ident("derive") {
                continue;
            }
            let Ok(paths) =
                a.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
            else {
                continue;
            };
            for p in paths {
                let t = p.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
                let g = generic_args(generics);
                if t == "Error" {
                    // thiserror's derive implements Display too.
                    self.push(owner, 3, format!("impl Display for {owner}{g}"));
                }
                self.push(owner, 3, format!("impl {t} for {owner}{g}"));
            }
        }
    }

    /// The lines of one item at its public path.
    fn item(&mut self, d: Def, path: &str) {
        let module = d.module;
        match self.krate.item(d) {
            Item::Struct(s) => {
                let g = generic_args(&s.generics);
                self.push(
                    path,
                    0,
                    format!("{}pub struct {path}{g}", notable_attrs(&s.attrs)),
                );
                self.fields(module, path, &s.fields);
                self.derives(&s.attrs, path, &s.generics);
            }
            Item::Enum(e) => {
                let g = generic_args(&e.generics);
                self.push(path, 0, format!("{}pub enum {path}{g}", notable_attrs(&e.attrs)));
                for v in &e.variants {
                    let shape = match &v.fields {
                        Fields::Unit => String::new(),
                        Fields::Unnamed(u) => {
                            let tys: Vec<String> = u.unnamed.iter().map(|f| self.ty(module, &f.ty)).collect();
                            format!("({})", tys.join(", "))
                        }
                        Fields::Named(n) => {
                            let fs: Vec<String> = n
                                .named
                                .iter()
                                .map(|f| {
                                    let name = f.ident.as_ref().map(|i| i.to_string()).unwrap_or_default();
                                    format!("{name}: {}", self.ty(module, &f.ty))
                                })
                                .collect();
                            format!(" {{ {} }}", fs.join(", "))
                        }
                    };
                    let line = format!(
                        "{}pub variant {path}::{}{shape}",
                        notable_attrs(&v.attrs),
                        v.ident
                    );
                    self.push(path, 1, line);
                }
                self.derives(&e.attrs, path, &e.generics);
            }
            Item::Fn(f) => {
                let line = format!(
                    "{}{}",
                    notable_attrs(&f.attrs),
                    self.signature(module, &f.sig, path)
                );
                self.push(path, 0, line);
            }
            Item::Const(c) => {
                let line = format!("pub const {path}: {}", self.ty(module, &c.ty));
                self.push(path, 0, line);
            }
            Item::Static(s) => {
                let line = format!("pub static {path}: {}", self.ty(module, &s.ty));
                self.push(path, 0, line);
            }
            Item::Type(t) => {
                let line = format!(
                    "pub type {path}{} = {}",
                    tidy(&t.generics),
                    self.ty(module, &t.ty)
                );
                self.push(path, 0, line);
            }
            Item::Trait(t) => self.push(path, 0, format!("pub trait {path}{}", tidy(&t.generics))),
            Item::Union(_) => self.push(path, 0, format!("pub union {path}")),
            _ => {}
        }
    }

    /// The public methods and constants of an inherent impl, and the trait impls, of a public
    /// type, wherever they are written.
    fn impl_block(&mut self, module: ModId, imp: &syn::ItemImpl) {
        let syn::Type::Path(tp) = &*imp.self_ty else {
            return;
        };
        let segs: Vec<String> = tp.path.segments.iter().map(|s| s.ident.to_string()).collect();
        let Some(path) = self.krate.resolve(module, &segs, 0).iter().find_map(|t| match t {
            Target::Item(d) => self.canonical.get(d).cloned(),
            Target::Module(_) => None,
        }) else {
            return;
        };
        let args = tp
            .path
            .segments
            .last()
            .map(|s| tidy(&s.arguments))
            .unwrap_or_default();
        match &imp.trait_ {
            Some((neg, tr, _)) => {
                let (tr, private) = self.canon(module, tr, |c, p| c.visit_path_mut(p));
                if private {
                    // A trait impl that names a private type cannot be used outside the crate.
                    return;
                }
                let neg = if neg.is_some() { "!" } else { "" };
                let generics = tidy(&imp.generics);
                self.push(&path, 3, format!("impl{generics} {neg}{tr} for {path}{args}"));
            }
            None => {
                for ii in &imp.items {
                    match ii {
                        ImplItem::Fn(f) if is_pub(&f.vis) => {
                            let sig = self.signature(module, &f.sig, &format!("{path}::{}", f.sig.ident));
                            self.push(&path, 2, format!("{}{sig}", notable_attrs(&f.attrs)));
                        }
                        ImplItem::Const(c) if is_pub(&c.vis) => {
                            let line = format!("pub const {path}::{}: {}", c.ident, self.ty(module, &c.ty));
                            self.push(&path, 2, line);
                        }
                        ImplItem::Type(t) if is_pub(&t.vis) => {
                            let line = format!("pub type {path}::{} = {}", t.ident, self.ty(module, &t.ty));
                            self.push(&path, 2, line);
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

/// The attributes that matter to users of an item: `#[non_exhaustive]`, `#[deprecated]`,
/// `#[must_use]`, `#[repr]`.
fn notable_attrs(attrs: &[Attribute]) -> String {
    let mut out = String::new();
    for a in attrs {
        let p = a.path();
        if p.is_ident("non_exhaustive")
            || p.is_ident("deprecated")
            || p.is_ident("must_use")
            || p.is_ident("repr")
        {
            out.push_str(&tidy(a));
            out.push(' ');
        }
    }
    out
}

fn generic_args(g: &syn::Generics) -> String {
    if g.params.is_empty() {
        return String::new();
    }
    let args: Vec<String> = g
        .params
        .iter()
        .map(|p| match p {
            syn::GenericParam::Type(t) => t.ident.to_string(),
            syn::GenericParam::Lifetime(l) => l.lifetime.to_string(),
            syn::GenericParam::Const(c) => c.ident.to_string(),
        })
        .collect();
    format!("<{}>", args.join(", "))
}

/// The listing, and the items that are public at more than one path.
fn listing(krate: &Crate) -> (Vec<String>, Vec<String>) {
    let mut paths: BTreeMap<Def, Vec<String>> = BTreeMap::new();
    let mut modules = vec![Line {
        owner: "vigil".into(),
        rank: 0,
        text: "pub mod vigil".into(),
    }];
    let mut seen: HashSet<(ModId, String)> = HashSet::new();
    let mut stack = vec![(0usize, String::from("vigil"))];
    while let Some((m, prefix)) = stack.pop() {
        if !seen.insert((m, prefix.clone())) {
            continue;
        }
        for (name, targets) in krate.public_names(m) {
            let path = format!("{prefix}::{name}");
            for t in targets {
                match t {
                    Target::Module(child) => {
                        modules.push(Line {
                            owner: path.clone(),
                            rank: 0,
                            text: format!("pub mod {path}"),
                        });
                        stack.push((child, path.clone()));
                    }
                    Target::Item(d) => paths.entry(d).or_default().push(path.clone()),
                }
            }
        }
    }
    let duplicates: Vec<String> = paths
        .values()
        .filter(|ps| ps.len() > 1)
        .map(|ps| ps.join(" and "))
        .collect();
    let canonical: HashMap<Def, String> = paths.iter().map(|(d, ps)| (*d, ps[0].clone())).collect();
    let mut p = Printer {
        krate,
        canonical: &canonical,
        out: modules,
    };
    for (d, ps) in &paths {
        for path in ps {
            p.item(*d, path);
        }
    }
    for (mi, module) in krate.modules.iter().enumerate() {
        for item in &module.items {
            if let Item::Impl(imp) = item {
                p.impl_block(mi, imp);
            }
        }
    }
    let lines: BTreeSet<Line> = p.out.into_iter().collect();
    (lines.into_iter().map(|l| l.text).collect(), duplicates)
}

#[test]
fn public_api_matches_the_committed_listing() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let krate = Crate::load(&root.join("src/lib.rs"));
    let (lines, duplicates) = listing(&krate);
    assert!(
        duplicates.is_empty(),
        "items public at more than one path (the rule in src/lib.rs: one path per item):\n  {}",
        duplicates.join("\n  ")
    );
    let got = lines.join("\n") + "\n";
    let file = root.join("public-api.txt");
    if std::env::var_os("VIGIL_BLESS").is_some() {
        std::fs::write(&file, &got).expect("write core/public-api.txt");
        return;
    }
    let want = std::fs::read_to_string(&file).unwrap_or_default();
    if got != want {
        let want_set: BTreeSet<&str> = want.lines().collect();
        let got_set: BTreeSet<&str> = got.lines().collect();
        let mut diff = String::new();
        for l in want_set.difference(&got_set) {
            let _ = writeln!(diff, "- {l}");
        }
        for l in got_set.difference(&want_set) {
            let _ = writeln!(diff, "+ {l}");
        }
        panic!(
            "the public API of `vigil` differs from core/public-api.txt (- committed, + now):\n{diff}\n\
             If the change is deliberate, bless it: VIGIL_BLESS=1 cargo test -p vigil --test public_api"
        );
    }
}
