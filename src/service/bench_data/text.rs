//! The words of the generated data sets.
//!
//! `BILINGUAL`, the text of `bench-data` and of the search bench: every name, topic, reply and
//! use case gets words from a small vocabulary of industrial terms, about 200 English and
//! 200 Arabic, drawn with a Zipf skew (the first words of each list are common, the last
//! ones rare) and mixed with everyday filler words. 40 % of the topics are written in Arabic
//! (their replies mostly too), and one domain word in ten comes from the other language, as
//! Gulf plant staff write. A quarter of the Arabic words are written the casual way (ا for
//! أ/إ/آ, ه for ة, ي for ى), so the index must normalize both sides to find them. Lengths
//! vary: titles of 4 to 10 words, topics of 15 to 120, replies of 5 to 60.
//!
//! `PLAIN`, the notifications bench's: one fixed English sentence per kind of record.

use std::{collections::HashSet, sync::LazyLock};

use rand::{Rng, SeedableRng, rngs::StdRng};

/// The words of the records, by index: a data set's text is a value of these functions, so
/// the same index gives the same words on every run.
pub struct Text {
    /// First and last name of user `u`.
    pub name: fn(usize) -> (String, String),
    /// Title and body of topic `i`.
    pub topic: fn(usize) -> (String, String),
    /// Body of reply `k` of topic `i`.
    pub reply: fn(usize, usize) -> String,
    /// Title, subtitle and body of use case `i`, whose plant is in `city`.
    pub use_case: fn(usize, &str) -> (String, String, String),
}

/// English industrial words, most frequent first.
const EN: &str = "pump valve compressor maintenance bearing motor gearbox seal leak pressure vibration sensor \
    hydraulic pneumatic turbine boiler conveyor inverter spindle lubrication coolant filter gasket impeller shaft \
    coupling alignment corrosion welding casting forging machining lathe milling grinding drilling extrusion \
    injection mould press stamping furnace kiln chiller cooling heating exchanger condenser evaporator refrigerant \
    nozzle actuator solenoid relay breaker transformer generator cable harness controller firmware calibration \
    inspection downtime throughput efficiency energy consumption emissions safety hazard operator shift overhaul \
    spare inventory procurement supplier vendor warranty failure fault alarm diagnostics predictive preventive \
    reliability availability quality defect tolerance scrap rework yield batch packaging labeling palletizing \
    robot automation scada plc telemetry dashboard analytics thermal camera ultrasonic infrared acoustic \
    temperature humidity flow meter level gauge manifold pipeline piping flange fitting elbow reducer strainer \
    tank vessel reactor mixer agitator centrifuge separator dryer crusher screen hopper silo feeder blower fan \
    duct damper chimney scrubber effluent wastewater sludge desalination membrane osmosis chlorine dosing cement \
    steel aluminium copper polymer plastic resin rubber glass paper textile dairy bottling cannery bakery \
    petrochemical refinery fertilizer pharmaceutical cleanroom sterilization compliance audit certification \
    training apprentice technician engineer supervisor planner schedule workorder checklist logbook torque \
    backlash misalignment cavitation fatigue crack erosion friction overheating tripping surge harmonics \
    grounding insulation enclosure retrofit upgrade commissioning startup shutdown turnaround lockout tagout";

/// Arabic industrial words, most frequent first (hamza forms, ة and ى as in careful writing).
const AR: &str = "مضخة صمام ضاغط الصيانة محمل محرك ترس تسرب ضغط اهتزاز مستشعر هيدروليكي هوائي توربين غلاية \
    ناقل عاكس عمود تزييت تبريد مرشح حشوة دافعة وصلة محاذاة تآكل لحام تشكيل مخرطة تفريز تجليخ حفر بثق حقن \
    قالب مكبس فرن مبرد تسخين مبادل مكثف مبخر فوهة مشغل ملف مرحل قاطع محول مولد كابل متحكم معايرة فحص توقف \
    إنتاجية كفاءة طاقة استهلاك انبعاثات سلامة خطر عامل وردية عمرة غيار مخزون مشتريات مورد ضمان عطل خلل إنذار \
    تشخيص تنبؤية وقائية موثوقية جودة عيب تفاوت هالك عائد دفعة تعبئة تغليف ملصقات روبوت أتمتة سكادا لوحة \
    تحليلات حراري كاميرا صوتي حرارة رطوبة تدفق عداد مستوى مقياس مشعب أنابيب أنبوب شفة كوع مصفاة خزان وعاء \
    مفاعل خلاط مقلب فاصل مجفف كسارة غربال قادوس صومعة مغذي منفاخ مروحة مجرى مدخنة غسالة صرف مياه حمأة تحلية \
    غشاء تناضح كلور جرعات أسمنت فولاذ حديد ألمنيوم نحاس بوليمر بلاستيك راتنج مطاط زجاج ورق نسيج ألبان زجاجات \
    معلبات مخبز بتروكيماويات تكرير أسمدة أدوية تعقيم امتثال تدقيق شهادة تدريب متدرب فني مهندس مشرف مخطط جدولة \
    سجل عزم ارتخاء انحراف تكهف إجهاد شرخ تعرية احتكاك سخونة فصل توافقيات تأريض عزل غلاف تحديث ترقية تدشين \
    إيقاف قفل مصنع مستودع إنتاج تصنيع ورشة معدات آلة آلية زيت شحم وقود ديزل بخار كهرباء جهد تيار مقاومة \
    دائرة مفتاح شاشة برمجة بيانات شبكة اتصال سحابة تقرير مؤشر أداء تكلفة ميزانية توفير ربحية استثمار تسليم \
    شحن رافعة منصة حاوية تخزين تكييف تهوية إضاءة ضوضاء غبار إصلاح استبدال تركيب تفكيك تنظيف تشحيم سير سلسلة \
    بكرة نابض برغي صامولة صفيحة أسطوانة ذراع جلبة بطانة عازل";

/// Everyday words around the domain words (indexed too: the index has no stop words).
const EN_FILL: &str = "the a an of and or on in at after before with without for from to is was are were we our \
    they it this that when during every each new old main second first line plant site team week month day hours \
    problem issue solution cause result change replaced checked found noticed started stopped keeps still again \
    since about around nearly almost because then also only very";
const AR_FILL: &str = "في من على إلى عن مع بعد قبل هذا هذه التي الذي كان تم عند لدى خلال بين كل بعض جدا أيضا لكن \
    ثم حيث نحن لدينا يوم ساعة أسبوع شهر المشكلة الحل السبب النتيجة تغيير استخدام العمل الخط الموقع الفريق \
    وجدنا لاحظنا بدأ توقفت مازال مرة منذ حوالي تقريبا لأن فقط";

/// Given names and family names, Latin and Arabic script (every third person's in Arabic).
pub const FIRST_EN: [&str; 20] = [
    "Mohammed", "Ahmed", "Khalid", "Faisal", "Omar", "Abdullah", "Saud", "Fahad", "Sultan", "Nasser", "Yousef",
    "Ibrahim", "Sara", "Noura", "Reem", "Lama", "Hind", "Maha", "Priya", "David",
];
const LAST_EN: [&str; 12] = [
    "Alharbi",
    "Alqahtani",
    "Alotaibi",
    "Alghamdi",
    "Alzahrani",
    "Alshehri",
    "Aldosari",
    "Almutairi",
    "Alanazi",
    "Khan",
    "Haddad",
    "Kumar",
];
pub const FIRST_AR: [&str; 16] = [
    "محمد",
    "أحمد",
    "خالد",
    "فيصل",
    "عمر",
    "عبدالله",
    "سعود",
    "فهد",
    "إبراهيم",
    "يوسف",
    "سارة",
    "نورة",
    "ريم",
    "لمى",
    "هند",
    "مها",
];
const LAST_AR: [&str; 10] =
    ["الحربي", "القحطاني", "العتيبي", "الغامدي", "الزهراني", "الشهري", "الدوسري", "المطيري", "العنزي", "الشمري"];

/// Zipf exponent of the domain words: below 1, so that the first words of a 200-word list
/// are common (a few per cent of the domain words each) without being in every text.
const ZIPF: f64 = 0.8;
/// Share of a text's words that are domain words (titles: twice that).
const DOMAIN: f64 = 0.25;
/// Share of the domain words taken from the other language.
const SWITCH: f64 = 0.1;
/// Share of the Arabic words written the casual way.
const CASUAL: f64 = 0.25;
const ARABIC_TOPICS: f64 = 0.4;
/// A reply is in its topic's language this often.
const SAME_LANGUAGE: f64 = 0.8;

/// One language's words and the cumulative weights of the domain words.
pub struct Lang {
    pub words: Vec<&'static str>,
    cumulative: Vec<f64>,
    fill: Vec<&'static str>,
}

impl Lang {
    fn new(words: &'static str, fill: &'static str) -> Self {
        let mut seen = HashSet::new();
        // A word listed twice would only skew the ranks: the first place counts.
        let words: Vec<&str> = words.split_whitespace().filter(|w| seen.insert(*w)).collect();
        let cumulative = (1..=words.len())
            .scan(0.0, |total, r| {
                *total += (r as f64).powf(-ZIPF);
                Some(*total)
            })
            .collect();
        Self { words, cumulative, fill: fill.split_whitespace().collect() }
    }

    fn domain(&self, rng: &mut StdRng) -> &'static str {
        let x = rng.r#gen::<f64>() * self.cumulative.last().copied().unwrap_or(0.0);
        self.words[self.cumulative.partition_point(|&c| c < x).min(self.words.len() - 1)]
    }
}

pub static ENGLISH: LazyLock<Lang> = LazyLock::new(|| Lang::new(EN, EN_FILL));
pub static ARABIC: LazyLock<Lang> = LazyLock::new(|| Lang::new(AR, AR_FILL));

fn lang(arabic: bool) -> &'static Lang {
    if arabic { &ARABIC } else { &ENGLISH }
}

/// `word` as it is often typed: bare alef for أ/إ/آ, ه for ة, ي for ى.
pub fn casual(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            'أ' | 'إ' | 'آ' => 'ا',
            'ة' => 'ه',
            'ى' => 'ي',
            c => c,
        })
        .collect()
}

/// `n` words in one language (`domain` the share of domain words), with sentence stops.
fn words(rng: &mut StdRng, arabic: bool, n: usize, domain: f64) -> String {
    let (mut out, mut last) = (String::new(), "");
    for j in 0..n {
        if j > 0 {
            out.push_str(if j % 11 == 0 { ". " } else { " " });
        }
        let (word, ar) = if rng.gen_bool(domain) {
            let ar = arabic ^ rng.gen_bool(SWITCH);
            let mut word = lang(ar).domain(rng);
            // Nobody writes "pump pump": a word does not follow itself.
            while word == last {
                word = lang(ar).domain(rng);
            }
            last = word;
            (word, ar)
        } else {
            let fill = &lang(arabic).fill;
            (fill[rng.gen_range(0..fill.len())], arabic)
        };
        if ar && rng.gen_bool(CASUAL) { out.push_str(&casual(word)) } else { out.push_str(word) }
    }
    out.push('.');
    out
}

/// A generator for record `i` of kind `kind` (`k` its sub-index): the same text every run.
fn seeded(kind: u64, i: usize, k: usize) -> StdRng {
    StdRng::seed_from_u64((kind << 56) ^ ((i as u64) << 16) ^ k as u64)
}

fn topic_in_arabic(i: usize) -> bool {
    seeded(1, i, 0).gen_bool(ARABIC_TOPICS)
}

/// A title of 4 to 10 words and at most `max` characters (10 at least, as use cases need),
/// the first letter upper-case in English.
fn title(rng: &mut StdRng, arabic: bool, max: usize) -> String {
    let n = rng.gen_range(4..=10);
    let mut t = String::new();
    let text = words(rng, arabic, n + 8, 2.0 * DOMAIN);
    for (j, w) in text.split(' ').map(|w| w.trim_end_matches('.')).enumerate() {
        if (j >= n && t.chars().count() >= 10) || t.chars().count() + w.chars().count() + 1 > max {
            break;
        }
        t.push_str(if t.is_empty() { "" } else { " " });
        t.push_str(w);
    }
    let mut chars = t.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => t,
    }
}

/// A reply body for the write load, in either language.
pub fn reply_body(rng: &mut StdRng) -> String {
    let (arabic, n) = (rng.gen_bool(ARABIC_TOPICS), rng.gen_range(5..=60));
    words(rng, arabic, n, DOMAIN)
}

/// The data set of `bench-data` and the search bench: varied bilingual text.
pub const BILINGUAL: Text = Text {
    name: |u| {
        let mut rng = seeded(2, u, 0);
        if u % 3 == 0 {
            let (f, l) = (FIRST_AR[rng.gen_range(0..FIRST_AR.len())], LAST_AR[rng.gen_range(0..LAST_AR.len())]);
            (f.to_owned(), l.to_owned())
        } else {
            let (f, l) = (FIRST_EN[rng.gen_range(0..FIRST_EN.len())], LAST_EN[rng.gen_range(0..LAST_EN.len())]);
            (f.to_owned(), l.to_owned())
        }
    },
    topic: |i| {
        let (mut rng, arabic) = (seeded(3, i, 0), topic_in_arabic(i));
        let n = rng.gen_range(15..=120);
        (title(&mut rng, arabic, 150), words(&mut rng, arabic, n, DOMAIN))
    },
    reply: |i, k| {
        let mut rng = seeded(4, i, k);
        let arabic = topic_in_arabic(i) == rng.gen_bool(SAME_LANGUAGE);
        let n = rng.gen_range(5..=60);
        words(&mut rng, arabic, n, DOMAIN)
    },
    use_case: |i, _city| {
        let mut rng = seeded(5, i, 0);
        let arabic = rng.gen_bool(ARABIC_TOPICS);
        let (s, n) = (rng.gen_range(3..=8), rng.gen_range(40..=160));
        (title(&mut rng, arabic, 100), words(&mut rng, arabic, s, DOMAIN), words(&mut rng, arabic, n, DOMAIN))
    },
};

/// One English sentence per kind of record, numbered: the notifications bench's data set.
pub const PLAIN: Text = Text {
    name: |u| (format!("Member{u}"), "Bench".to_owned()),
    topic: |i| {
        let title = format!("Hydraulic press {i} loses pressure after warm-up");
        (title, format!("Topic {i}: the press drops 15 bar once the oil passes 50 °C. Seals are new."))
    },
    reply: |i, k| format!("Reply {k} to topic {i}: check the relief valve spring and the oil grade."),
    use_case: |i, city| {
        let title = format!("Predictive maintenance of press line {} in {city}", i % 40 + 1);
        let body = format!(
            "Use case {i}: the plant fitted vibration sensors on the main drives of its press line, trained the \
             shift leads to read the trends, and cut unplanned stops by a third within six months."
        );
        (title, "Vibration sensors on the main drives".into(), body)
    },
};
