//! `{% lorem %}`: the classic Lorem Ipsum text (public domain), as Django's
//! `django.utils.lorem_ipsum` produces it. The first paragraph and the first 19 words
//! are fixed; longer or `random` output is random, as in Django.

use super::error::TemplateError;

/// The standard first paragraph.
pub const COMMON_P: &str = "Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.";

/// The first words of the standard paragraph.
pub const COMMON_WORDS: &[&str] = &[
    "lorem",
    "ipsum",
    "dolor",
    "sit",
    "amet",
    "consectetur",
    "adipisicing",
    "elit",
    "sed",
    "do",
    "eiusmod",
    "tempor",
    "incididunt",
    "ut",
    "labore",
    "et",
    "dolore",
    "magna",
    "aliqua",
];

/// The vocabulary random text is drawn from.
pub const WORDS: &[&str] = &[
    "exercitationem",
    "perferendis",
    "perspiciatis",
    "laborum",
    "eveniet",
    "sunt",
    "iure",
    "nam",
    "nobis",
    "eum",
    "cum",
    "officiis",
    "excepturi",
    "odio",
    "consectetur",
    "quasi",
    "aut",
    "quisquam",
    "vel",
    "eligendi",
    "itaque",
    "non",
    "odit",
    "tempore",
    "quaerat",
    "dignissimos",
    "facilis",
    "neque",
    "nihil",
    "expedita",
    "vitae",
    "vero",
    "ipsum",
    "nisi",
    "animi",
    "cumque",
    "pariatur",
    "velit",
    "modi",
    "natus",
    "iusto",
    "eaque",
    "sequi",
    "illo",
    "sed",
    "ex",
    "et",
    "voluptatibus",
    "tempora",
    "veritatis",
    "ratione",
    "assumenda",
    "incidunt",
    "nostrum",
    "placeat",
    "aliquid",
    "fuga",
    "provident",
    "praesentium",
    "rem",
    "necessitatibus",
    "suscipit",
    "adipisci",
    "quidem",
    "possimus",
    "voluptas",
    "debitis",
    "sint",
    "accusantium",
    "unde",
    "sapiente",
    "voluptate",
    "qui",
    "aspernatur",
    "laudantium",
    "soluta",
    "amet",
    "quo",
    "aliquam",
    "saepe",
    "culpa",
    "libero",
    "ipsa",
    "dicta",
    "reiciendis",
    "nesciunt",
    "doloribus",
    "autem",
    "impedit",
    "minima",
    "maiores",
    "repudiandae",
    "ipsam",
    "obcaecati",
    "ullam",
    "enim",
    "totam",
    "delectus",
    "ducimus",
    "quis",
    "voluptates",
    "dolores",
    "molestiae",
    "harum",
    "dolorem",
    "quia",
    "voluptatem",
    "molestias",
    "magni",
    "distinctio",
    "omnis",
    "illum",
    "dolorum",
    "voluptatum",
    "ea",
    "quas",
    "quam",
    "corporis",
    "quae",
    "blanditiis",
    "atque",
    "deserunt",
    "laboriosam",
    "earum",
    "consequuntur",
    "hic",
    "cupiditate",
    "quibusdam",
    "accusamus",
    "ut",
    "rerum",
    "error",
    "minus",
    "eius",
    "ab",
    "ad",
    "nemo",
    "fugit",
    "officia",
    "at",
    "in",
    "id",
    "quos",
    "reprehenderit",
    "numquam",
    "iste",
    "fugiat",
    "sit",
    "inventore",
    "beatae",
    "repellendus",
    "magnam",
    "recusandae",
    "quod",
    "explicabo",
    "doloremque",
    "aperiam",
    "consequatur",
    "asperiores",
    "commodi",
    "optio",
    "dolor",
    "labore",
    "temporibus",
    "repellat",
    "veniam",
    "architecto",
    "est",
    "esse",
    "mollitia",
    "nulla",
    "a",
    "similique",
    "eos",
    "alias",
    "dolore",
    "tenetur",
    "deleniti",
    "porro",
    "facere",
    "maxime",
    "corrupti",
];

struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9E37_79B9);
        Rng(nanos | 1)
    }
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// `count` random words (the common words first when `common`), separated by spaces,
/// appended to `out`; an [`ErrorKind::Limit`](super::ErrorKind) error as soon as `out`
/// would pass `limit` bytes.
pub fn words(count: i64, common: bool, out: &mut String, limit: usize) -> Result<(), TemplateError> {
    let count = usize::try_from(count.max(0)).unwrap_or(usize::MAX);
    let push = |out: &mut String, word: &str| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        if out.len() > limit {
            return Err(TemplateError::too_large("{% lorem %}", out.len() as u128, limit));
        }
        Ok(())
    };
    let fixed = if common { COMMON_WORDS.len().min(count) } else { 0 };
    for w in &COMMON_WORDS[..fixed] {
        push(out, w)?;
    }
    let mut rng = Rng::seeded();
    let mut more = count - fixed;
    while more > 0 {
        // Django's `random.sample(WORDS, c)`: no word twice within a chunk.
        let c = more.min(WORDS.len());
        more -= c;
        let mut pool: Vec<&str> = WORDS.to_vec();
        for _ in 0..c {
            let i = rng.below(pool.len());
            push(out, pool.swap_remove(i))?;
        }
    }
    Ok(())
}

fn sentence(rng: &mut Rng) -> String {
    let sections: Vec<String> = (0..1 + rng.below(5))
        .map(|_| {
            let n = 3 + rng.below(10);
            let mut pool: Vec<&str> = WORDS.to_vec();
            (0..n)
                .map(|_| pool.swap_remove(rng.below(pool.len())))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let s = sections.join(", ");
    let mut c = s.chars();
    let first = c
        .next()
        .map(|f| f.to_uppercase().collect::<String>())
        .unwrap_or_default();
    format!(
        "{first}{}{}",
        c.as_str(),
        if rng.below(2) == 0 { "?" } else { "." }
    )
}

/// `count` paragraphs (the standard one first when `common`), each wrapped in
/// `<p>…</p>` when `html`, separated by blank lines, appended to `out`; an
/// [`ErrorKind::Limit`](super::ErrorKind) error as soon as `out` would pass `limit`
/// bytes.
pub fn paragraphs(
    count: i64,
    common: bool,
    html: bool,
    out: &mut String,
    limit: usize,
) -> Result<(), TemplateError> {
    let mut rng = Rng::seeded();
    for i in 0..count.max(0) {
        if i > 0 {
            out.push_str("\n\n");
        }
        if html {
            out.push_str("<p>");
        }
        if common && i == 0 {
            out.push_str(COMMON_P);
        } else {
            for j in 0..1 + rng.below(4) {
                if j > 0 {
                    out.push(' ');
                }
                out.push_str(&sentence(&mut rng));
            }
        }
        if html {
            out.push_str("</p>");
        }
        if out.len() > limit {
            return Err(TemplateError::too_large("{% lorem %}", out.len() as u128, limit));
        }
    }
    Ok(())
}

/// What `{% lorem count method [random] %}` renders (`w` words, `p` HTML paragraphs,
/// `b` plain paragraphs). Output longer than `limit` bytes is an
/// [`ErrorKind::Limit`](super::ErrorKind) error, raised before more than `limit` bytes
/// are held (Django would try, and run out of time or memory).
pub fn render(count: i64, method: char, common: bool, limit: usize) -> Result<String, TemplateError> {
    let mut out = String::new();
    match method {
        'w' => words(count, common, &mut out, limit)?,
        'p' => paragraphs(count, common, true, &mut out, limit)?,
        _ => paragraphs(count, common, false, &mut out, limit)?,
    }
    Ok(out)
}
