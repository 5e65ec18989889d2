//! Errors as the user sees them: bad input (exit 2) is kept apart from
//! everything else (exit 1), and a bad-input error always knows where it is.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in an input file, rendered once at the edge of the program.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub message: String,
    pub file: Option<PathBuf>,
    /// 1-based line and column, with the source line and the width of the mark.
    pub position: Option<Box<Position>>,
    pub hint: Option<String>,
    /// Further independent problems found in the same pass, shown after
    /// this one (boxed: a diagnostic travels in every `Err`, and stays small).
    pub more: Option<Box<Vec<Diagnostic>>>,
}

#[derive(Debug, Clone)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub source_line: String,
    pub width: usize,
}

impl Position {
    /// Line and column of a byte span inside `text`.
    pub fn of_span(text: &str, span: std::ops::Range<usize>) -> Position {
        // A span computed from offsets (an override's value laid into a
        // document) may end inside a multi-byte character: step back to
        // the character's start rather than panic while reporting an error.
        let floor = |mut i: usize| {
            i = i.min(text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let span = floor(span.start)..floor(span.end);
        let start = span.start;
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[..start].matches('\n').count() + 1;
        let column = text[line_start..start].chars().count() + 1;
        let end = span.end.clamp(start, line_end);
        let width = text[start..end].chars().count().max(1);
        Position {
            line,
            column,
            source_line: text[line_start..line_end]
                .trim_end_matches('\r')
                .to_string(),
            width,
        }
    }
}

impl Diagnostic {
    pub fn new(message: impl Into<String>) -> Self {
        Diagnostic {
            message: message.into(),
            file: None,
            position: None,
            hint: None,
            more: None,
        }
    }

    /// Every problem of a pass as one diagnostic (the first, with the others
    /// after it); None when there were none.
    pub fn all(mut problems: Vec<Diagnostic>) -> Option<Diagnostic> {
        if problems.is_empty() {
            return None;
        }
        let mut first = problems.remove(0);
        let mut more = first.more.take().map_or_else(Vec::new, |m| *m);
        for mut p in problems {
            let nested = p.more.take();
            more.push(p);
            more.extend(nested.into_iter().flat_map(|m| *m));
        }
        first.more = (!more.is_empty()).then(|| Box::new(more));
        Some(first)
    }

    pub fn in_file(mut self, file: &Path) -> Self {
        self.file = Some(file.to_path_buf());
        self
    }

    pub fn at(mut self, file: &Path, text: &str, span: std::ops::Range<usize>) -> Self {
        self.file = Some(file.to_path_buf());
        self.position = Some(Box::new(Position::of_span(text, span)));
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn maybe_hint(mut self, hint: Option<String>) -> Self {
        if hint.is_some() {
            self.hint = hint;
        }
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        match (&self.file, &self.position) {
            (Some(file), Some(pos)) => {
                let gutter = pos.line.to_string().len();
                writeln!(
                    f,
                    "{:gutter$}--> {}:{}:{}",
                    "",
                    file.display(),
                    pos.line,
                    pos.column
                )?;
                writeln!(f, "{:gutter$} |", "")?;
                writeln!(f, "{} | {}", pos.line, pos.source_line)?;
                write!(
                    f,
                    "{:gutter$} | {}{}",
                    "",
                    " ".repeat(pos.column - 1),
                    "^".repeat(pos.width)
                )?;
            }
            (Some(file), None) => write!(f, "  --> {}", file.display())?,
            _ => {}
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  = hint: {hint}")?;
        }
        if let Some(more) = &self.more {
            // Flattened by `all`: each of them has no `more` of its own.
            for d in more.iter() {
                write!(f, "\n\n{d}")?;
            }
            write!(f, "\n\n{} errors in all", more.len() + 1)?;
        }
        Ok(())
    }
}

#[derive(Debug)]
pub enum Error {
    /// The user's input is wrong: exit code 2.
    BadInput(Box<Diagnostic>),
    /// Reading or writing failed: exit code 1.
    Io {
        context: String,
        source: std::io::Error,
    },
    /// Stopped by Ctrl-C before anything was written: exit code 130.
    Interrupted,
    /// Anything else: exit code 1.
    Other(String),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::BadInput(_) => 2,
            Error::Interrupted => 130,
            _ => 1,
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// A bad-input error that is not tied to a place in a file (a flag value).
    pub fn usage(message: impl Into<String>) -> Self {
        Error::BadInput(Box::new(Diagnostic::new(message)))
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error::BadInput(Box::new(d))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BadInput(d) => write!(f, "{d}"),
            Error::Io { context, source } => write!(f, "error: {context}: {source}"),
            Error::Interrupted => write!(f, "interrupted: stopped before writing anything"),
            Error::Other(m) => write!(f, "error: {m}"),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// The closest candidate by edit distance, if it is close enough to be a typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(word, c);
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    let (d, c) = best?;
    let allowed = (word.chars().count().max(c.chars().count()) / 3).max(1);
    (d <= allowed).then(|| format!("did you mean `{c}`?"))
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions
/// and swaps of neighbours ("SBR" for "SRB") each cost one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words_only() {
        let keys = ["probability", "polity", "date"];
        assert_eq!(
            did_you_mean("probabilty", keys).as_deref(),
            Some("did you mean `probability`?")
        );
        assert_eq!(did_you_mean("zzzzzz", keys), None);
    }

    #[test]
    fn position_counts_lines_and_columns_from_one() {
        let text = "a = 1\nbb = 2\n";
        let p = Position::of_span(text, 6..8);
        assert_eq!((p.line, p.column, p.width), (2, 1, 2));
        assert_eq!(p.source_line, "bb = 2");
    }
}
