//! What the commands read: the policy (the shipped packs, then `--policy` layers) and JSON Lines
//! inputs (files or standard input).

use std::fs;
use std::io::{self, BufRead, Read};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use clap::Args;
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
    /// Loads and merges the layers.
    pub fn load(&self) -> Result<Policy> {
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

    /// Loads and compiles.
    pub fn engine(&self) -> Result<Arc<Engine>> {
        compile(self.load()?)
    }
}

/// Compiles a policy, with compiler-style errors.
pub fn compile(policy: Policy) -> Result<Arc<Engine>> {
    Engine::new(policy)
        .map(Arc::new)
        .map_err(|e| anyhow::anyhow!(policy_error(&e)))
}

/// An input of JSON Lines: a file or standard input, read by the core's reader
/// ([`vigil::jsonl::Reader`]: byte-order mark, `\r\n`, blank lines, invalid UTF-8 as an error of
/// its line), so the command reads exactly what the library and the WASM package read.
pub struct Input {
    /// The name used in messages (`-` is `<stdin>`).
    pub name: String,
    reader: Reader<Box<dyn BufRead>>,
    /// The file's size, when it is a file.
    pub len: Option<u64>,
}

impl Input {
    /// Opens a path, or standard input for `-`.
    pub fn open(path: &str) -> Result<Input> {
        let (name, reader, len): (String, Box<dyn BufRead>, Option<u64>) = if path == "-" {
            ("<stdin>".into(), Box::new(io::BufReader::new(io::stdin())), None)
        } else {
            let file = fs::File::open(path).with_context(|| format!("cannot open {path}"))?;
            let len = file.metadata().ok().map(|m| m.len());
            (
                path.to_string(),
                Box::new(io::BufReader::with_capacity(1 << 16, file)),
                len,
            )
        };
        Ok(Input {
            name,
            reader: Reader::new(reader),
            len,
        })
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.reader.bytes_read()
    }

    /// The next message, or a malformed line (its error says `line N: problem`). A read error of
    /// the file or pipe itself is fatal.
    pub fn next_message(&mut self) -> Result<Option<std::result::Result<Message, MessageError>>> {
        match self.reader.next() {
            None => Ok(None),
            Some(Ok(m)) => Ok(Some(Ok(m))),
            Some(Err(ReadError::Message(e))) => Ok(Some(Err(e))),
            Some(Err(e)) => Err(anyhow::Error::new(e).context(self.name.clone())),
        }
    }
}

/// Reads every message of an input. Malformed lines are reported on stderr and skipped (their
/// count is returned), or fatal with `strict`.
pub fn read_messages(path: &str, strict: bool) -> Result<(Vec<Message>, u64)> {
    let mut input = Input::open(path)?;
    let mut out = Vec::new();
    let mut bad = 0;
    while let Some(item) = input.next_message()? {
        match item {
            Ok(m) => out.push(m),
            Err(e) if strict => anyhow::bail!("{}: {e}", input.name),
            Err(e) => {
                eprintln!("vigil: {}: {e} (skipped)", input.name);
                bad += 1;
            }
        }
    }
    Ok((out, bad))
}

/// Reads a whole file (or stdin for `-`) as text.
pub fn read_text(path: &str) -> Result<String> {
    if path == "-" {
        let mut s = String::new();
        io::stdin()
            .read_to_string(&mut s)
            .context("cannot read standard input")?;
        Ok(s)
    } else {
        fs::read_to_string(path).with_context(|| format!("cannot read {path}"))
    }
}
