//! What the commands read: the policy (the shipped packs, then `--policy` layers) and JSON Lines
//! inputs: standard input, files and directories, plain or gzip-compressed, read one after another
//! as one stream of messages.

use std::cell::Cell;
use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use anyhow::{bail, Context as _, Result};
use clap::Args;
use flate2::bufread::MultiGzDecoder;
use vigil::jsonl::Reader;
use vigil::{Engine, Message, MessageError, Policy, PolicyError, ReadError};

/// Which policy to load: the shipped packs, then `--policy` layers.
#[derive(Args, Clone, Debug, Default)]
pub struct PolicyArgs {
    /// A policy layer (TOML or JSON) loaded after the shipped packs; repeat for more
    #[arg(long = "policy", short = 'p', value_name = "FILE")]
    pub policies: Vec<PathBuf>,
    /// Do not load the shipped packs: the --policy files are the whole policy
    #[arg(long)]
    pub no_default_packs: bool,
    /// Load the engine from a compiled bundle (`vigil policy compile`) instead of the packs and
    /// layers: no parsing, no normalizing at start
    #[arg(long, value_name = "FILE", conflicts_with_all = ["policies", "no_default_packs"])]
    pub bundle: Option<PathBuf>,
}

/// A policy error as a compiler would print it: `file:line:col: error: what (where)`.
pub fn policy_error(e: &PolicyError) -> String {
    let l = e.location();
    let mut s = l.source.clone();
    if let Some(line) = l.line {
        s.push_str(&format!(":{line}"));
        if let Some(col) = l.column {
            s.push_str(&format!(":{col}"));
        }
    }
    s.push_str(&format!(": error: {}", e.kind()));
    match (&l.item, &l.field) {
        (Some(i), Some(f)) => s.push_str(&format!(" ({i}, field `{f}`)")),
        (Some(i), None) => s.push_str(&format!(" ({i})")),
        (None, Some(f)) => s.push_str(&format!(" (field `{f}`)")),
        (None, None) => {}
    }
    s
}

impl PolicyArgs {
    /// Loads and merges the layers (or reads the policy of the bundle).
    pub fn load(&self) -> Result<Policy> {
        if self.bundle.is_some() {
            return Ok(self.engine()?.policy().clone());
        }
        self.load_layers(&self.policies)
    }

    /// Loads the shipped packs (unless disabled) and the given layers.
    pub fn load_layers(&self, layers: &[PathBuf]) -> Result<Policy> {
        let mut builder = Policy::builder();
        if !self.no_default_packs {
            builder = builder
                .add_shipped()
                .map_err(|e| anyhow::anyhow!(policy_error(&e)))?;
        }
        for path in layers {
            let text =
                fs::read_to_string(path).with_context(|| format!("cannot read policy {}", path.display()))?;
            builder = builder
                .add_source(&path.display().to_string(), &text)
                .map_err(|e| anyhow::anyhow!(policy_error(&e)))?;
        }
        builder.build().map_err(|e| anyhow::anyhow!(policy_error(&e)))
    }

    /// Loads and compiles (or loads the bundle).
    pub fn engine(&self) -> Result<Arc<Engine>> {
        if let Some(path) = &self.bundle {
            let bytes = fs::read(path).with_context(|| format!("cannot read bundle {}", path.display()))?;
            return Engine::from_bundle(&bytes)
                .map(Arc::new)
                .map_err(|e| anyhow::anyhow!("{}: error: {e}", path.display()));
        }
        compile(self.load()?)
    }
}

/// Compiles a policy, with compiler-style errors.
pub fn compile(policy: Policy) -> Result<Arc<Engine>> {
    Engine::new(policy)
        .map(Arc::new)
        .map_err(|e| anyhow::anyhow!(policy_error(&e)))
}

/// What a directory contributes: files with these endings (JSON Lines, plain or gzip-compressed).
const EXTENSIONS: [&str; 6] = [
    ".jsonl",
    ".ndjson",
    ".json",
    ".jsonl.gz",
    ".ndjson.gz",
    ".json.gz",
];

/// The first two bytes of a gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The files the command-line inputs name, in reading order. `-` is standard input; a file is
/// read whatever its name; a directory is walked recursively and gives its files ending in
/// [`EXTENSIONS`], sorted by path (byte-wise), leaving out hidden entries (names starting with
/// `.`) and not following symbolic links to directories. A missing input, or a directory with no
/// such file, is an error naming it.
fn expand(args: &[String]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for arg in args {
        if arg == "-" {
            files.push(PathBuf::from("-"));
            continue;
        }
        let path = Path::new(arg);
        let meta = fs::metadata(path).with_context(|| format!("cannot open {arg}"))?;
        if !meta.is_dir() {
            files.push(path.to_path_buf());
            continue;
        }
        let mut found = Vec::new();
        walk(path, &mut found)?;
        if found.is_empty() {
            bail!("{arg}: no .jsonl, .ndjson or .json file (plain or .gz) in this directory");
        }
        found.sort_by(|a, b| {
            a.as_os_str()
                .as_encoded_bytes()
                .cmp(b.as_os_str().as_encoded_bytes())
        });
        files.extend(found);
    }
    Ok(files)
}

/// Adds the files of `dir` and its subdirectories that a directory input contributes.
fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
    let cannot = || format!("cannot read directory {}", dir.display());
    for entry in fs::read_dir(dir).with_context(cannot)? {
        let entry = entry.with_context(cannot)?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        if entry.file_type().with_context(cannot)?.is_dir() {
            walk(&path, found)?;
        } else if EXTENSIONS.iter().any(|e| name.ends_with(e)) {
            found.push(path);
        }
    }
    Ok(())
}

/// A short name for a list of inputs, for titles and messages: the names themselves, up to three,
/// or how many there are.
pub fn describe(names: &[String]) -> String {
    match names {
        [] => "no input".into(),
        [one] => one.clone(),
        few if few.len() <= 3 => few.join(", "),
        many => format!("{} files", many.len()),
    }
}

/// The name of a path in messages: `<stdin>` for `-`.
fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".into()
    } else {
        path.display().to_string()
    }
}

/// A reader that counts the bytes it passes on (the compressed bytes of a gzip file).
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(
            self.count
                .get()
                .saturating_add(u64::try_from(n).unwrap_or(u64::MAX)),
        );
        Ok(n)
    }
}

/// One input opened: its text as a stream (decompressed when it starts with gzip's magic bytes).
struct Opened {
    name: String,
    stream: Box<dyn BufRead>,
    gzip: bool,
    /// Bytes read from the file or pipe itself (compressed, for gzip).
    raw_read: Rc<Cell<u64>>,
}

fn open(path: &Path) -> Result<Opened> {
    let name = display_name(path);
    let raw: Box<dyn Read> = if path == Path::new("-") {
        Box::new(io::stdin())
    } else {
        Box::new(fs::File::open(path).with_context(|| format!("cannot open {name}"))?)
    };
    let raw_read = Rc::new(Cell::new(0));
    let mut raw = BufReader::with_capacity(
        1 << 16,
        Counting {
            inner: raw,
            count: raw_read.clone(),
        },
    );
    let mut head = Vec::with_capacity(GZIP_MAGIC.len());
    (&mut raw)
        .take(GZIP_MAGIC.len() as u64)
        .read_to_end(&mut head)
        .with_context(|| format!("cannot read {name}"))?;
    let gzip = head == GZIP_MAGIC;
    let whole = io::Cursor::new(head).chain(raw);
    let stream: Box<dyn BufRead> = if gzip {
        Box::new(BufReader::with_capacity(1 << 16, MultiGzDecoder::new(whole)))
    } else {
        Box::new(whole)
    };
    Ok(Opened {
        name,
        stream,
        gzip,
        raw_read,
    })
}

/// One input of JSON Lines read by the core's reader ([`vigil::jsonl::Reader`]: byte-order mark,
/// `\r\n`, blank lines, invalid UTF-8 replaced and counted), so the command reads exactly what
/// the library and the WASM package read.
struct Input {
    name: String,
    reader: Reader<Box<dyn BufRead>>,
    gzip: bool,
    raw_read: Rc<Cell<u64>>,
}

impl Input {
    fn open(path: &Path) -> Result<Input> {
        let o = open(path)?;
        Ok(Input {
            name: o.name,
            reader: Reader::new(o.stream),
            gzip: o.gzip,
            raw_read: o.raw_read,
        })
    }

    fn next_message(&mut self) -> Result<Option<std::result::Result<Message, MessageError>>> {
        match self.reader.next() {
            None => Ok(None),
            Some(Ok(m)) => Ok(Some(Ok(m))),
            Some(Err(ReadError::Message(e))) => Ok(Some(Err(e))),
            Some(Err(e)) => {
                let corrupt = self.gzip
                    && matches!(&e, ReadError::Io { source, .. } if matches!(
                        source.kind(),
                        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof
                    ));
                let what = if corrupt {
                    format!("{}: corrupt or truncated gzip data", self.name)
                } else {
                    self.name.clone()
                };
                Err(anyhow::Error::new(e).context(what))
            }
        }
    }
}

/// The command's inputs ([`expand`]ed), read one after another as one stream of messages: one
/// file is open at a time, read line by line.
pub struct Inputs {
    files: std::vec::IntoIter<PathBuf>,
    current: Option<Input>,
    name: String,
    finished_bytes: u64,
    finished_repaired: u64,
    /// The line of the last item, when it was not valid UTF-8 and was read repaired.
    repaired_line: Option<u64>,
    /// The files' total size on disk, unless one of them is standard input (or cannot be
    /// measured).
    pub len: Option<u64>,
    /// The names of the files, as in messages (`<stdin>` for `-`).
    pub names: Vec<String>,
}

impl Inputs {
    /// Expands the command-line inputs; the files are opened as they are reached.
    pub fn open(args: &[String]) -> Result<Inputs> {
        let files = expand(args)?;
        let len = files
            .iter()
            .map(|f| {
                if f == Path::new("-") {
                    None
                } else {
                    fs::metadata(f).ok().map(|m| m.len())
                }
            })
            .sum();
        Ok(Inputs {
            names: files.iter().map(|f| display_name(f)).collect(),
            files: files.into_iter(),
            current: None,
            name: String::new(),
            finished_bytes: 0,
            finished_repaired: 0,
            repaired_line: None,
            len,
        })
    }

    /// The name of the file being read (the one the last message or malformed line came from).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Bytes read so far from the files themselves (compressed bytes for gzip files).
    pub fn bytes_read(&self) -> u64 {
        let current = self.current.as_ref().map_or(0, |i| i.raw_read.get());
        self.finished_bytes.saturating_add(current)
    }

    /// Lines read so far that were not valid UTF-8, read with the bad bytes replaced.
    pub fn repaired_lines(&self) -> u64 {
        let current = self.current.as_ref().map_or(0, |i| i.reader.repaired_lines());
        self.finished_repaired.saturating_add(current)
    }

    /// The note to print for the last item, when its line was not valid UTF-8 (read with the bad
    /// bytes replaced): `<file>: line N: …`.
    pub fn repair_note(&self) -> Option<String> {
        self.repaired_line.map(|line| {
            format!(
                "{}: line {line}: not valid UTF-8; read with the invalid bytes replaced by U+FFFD",
                self.name
            )
        })
    }

    /// The next message, or a malformed line (its error says `line N: problem`; [`Inputs::name`]
    /// names the file). A read error of a file or pipe itself, or corrupt gzip data, is fatal.
    pub fn next_message(&mut self) -> Result<Option<std::result::Result<Message, MessageError>>> {
        self.repaired_line = None;
        loop {
            if let Some(input) = &mut self.current {
                let before = input.reader.repaired_lines();
                if let Some(item) = input.next_message()? {
                    if input.reader.repaired_lines() > before {
                        self.repaired_line = Some(input.reader.lines_read());
                    }
                    return Ok(Some(item));
                }
                self.finished_bytes = self.finished_bytes.saturating_add(input.raw_read.get());
                self.finished_repaired = self
                    .finished_repaired
                    .saturating_add(input.reader.repaired_lines());
                self.current = None;
            }
            let Some(path) = self.files.next() else {
                return Ok(None);
            };
            let input = Input::open(&path)?;
            self.name = input.name.clone();
            self.current = Some(input);
        }
    }
}

impl Inputs {
    /// Hands every message to `f`, in order. Lines read with invalid UTF-8 replaced are noted
    /// on stderr; malformed lines are reported with their file and skipped (their count is
    /// returned), or fatal with `strict`.
    pub fn for_each(&mut self, strict: bool, mut f: impl FnMut(Message)) -> Result<u64> {
        let mut bad = 0;
        while let Some(item) = self.next_message()? {
            if let Some(note) = self.repair_note() {
                eprintln!("vigil: {note}");
            }
            match item {
                Ok(m) => f(m),
                Err(e) if strict => bail!("{}: {e}", self.name()),
                Err(e) => {
                    eprintln!("vigil: {}: {e} (skipped)", self.name());
                    bad += 1;
                }
            }
        }
        Ok(bad)
    }
}

/// Every message of some inputs, read into memory.
pub struct Messages {
    /// The files read, as in messages (`<stdin>` for `-`).
    pub files: Vec<String>,
    /// The messages, in order.
    pub messages: Vec<Message>,
    /// How many malformed lines were skipped.
    pub bad: u64,
}

/// Reads every message of the inputs, in order. Malformed lines are reported on stderr with
/// their file and skipped (and counted), or fatal with `strict`.
pub fn read_messages(args: &[String], strict: bool) -> Result<Messages> {
    let mut inputs = Inputs::open(args)?;
    let mut out = Vec::new();
    let bad = inputs.for_each(strict, |m| out.push(m))?;
    Ok(Messages {
        files: inputs.names,
        messages: out,
        bad,
    })
}

/// Reads the whole text of each input (files of directories, decompressed when gzip), with its
/// name, in order.
pub fn read_texts(args: &[String]) -> Result<Vec<(String, String)>> {
    let mut texts = Vec::new();
    for path in expand(args)? {
        let mut o = open(&path)?;
        let mut text = String::new();
        o.stream
            .read_to_string(&mut text)
            .with_context(|| format!("cannot read {}", o.name))?;
        texts.push((o.name, text));
    }
    Ok(texts)
}
