//! `{% lorem %}`: the classic Lorem Ipsum text (public domain), as Django's
//! `django.utils.lorem_ipsum` produces it. The first paragraph and the first 19 words
//! are fixed; longer or `random` output is random, as in Django.

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

/// `count` random words (the common words first when `common`).
pub fn words(count: i64, common: bool) -> String {
    let count = count.max(0) as usize;
    let mut list: Vec<&str> = if common { COMMON_WORDS.to_vec() } else { Vec::new() };
    if count > list.len() {
        let mut rng = Rng::seeded();
        let mut more = count - list.len();
        while more > 0 {
            let c = more.min(WORDS.len());
            more -= c;
            let mut pool: Vec<&str> = WORDS.to_vec();
            for _ in 0..c {
                let i = rng.below(pool.len());
                list.push(pool.swap_remove(i));
            }
        }
    } else {
        list.truncate(count);
    }
    list.join(" ")
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

/// `count` paragraphs (the standard one first when `common`).
pub fn paragraphs(count: i64, common: bool) -> Vec<String> {
    let mut rng = Rng::seeded();
    (0..count.max(0))
        .map(|i| {
            if common && i == 0 {
                COMMON_P.to_string()
            } else {
                (0..1 + rng.below(4))
                    .map(|_| sentence(&mut rng))
                    .collect::<Vec<_>>()
                    .join(" ")
            }
        })
        .collect()
}

/// What `{% lorem count method [random] %}` renders.
pub fn render(count: i64, method: char, common: bool) -> String {
    match method {
        'w' => words(count, common),
        'p' => paragraphs(count, common)
            .into_iter()
            .map(|p| format!("<p>{p}</p>"))
            .collect::<Vec<_>>()
            .join("\n\n"),
        _ => paragraphs(count, common).join("\n\n"),
    }
}
