//! How numbers are written for people: money (`$12.30B`), percentages and plain decimals.

/// `$12.30B`, `$450.00M`, `$12.3k`, `$950`; negative amounts with a leading `-`.
pub fn money(x: f64) -> String {
    let a = x.abs();
    let sign = if x < 0.0 { "-" } else { "" };
    if a >= 1e9 {
        format!("{sign}${:.2}B", a / 1e9)
    } else if a >= 1e6 {
        format!("{sign}${:.2}M", a / 1e6)
    } else if a >= 1e3 {
        format!("{sign}${:.1}k", a / 1e3)
    } else {
        format!("{sign}${a:.0}")
    }
}

/// A difference of money: `+$1.20B`, `-$350.00M`, or `$0` when under half a dollar.
pub fn signed_money(x: f64) -> String {
    if x.abs() < 0.5 {
        "$0".to_string()
    } else if x > 0.0 {
        format!("+{}", money(x))
    } else {
        money(x)
    }
}

/// A fraction as a percentage with one decimal: `0.075` → `7.5%`.
pub fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A fraction as a percentage with a sign: `+7.5%`.
pub fn signed_pct(x: f64) -> String {
    format!("{:+.1}%", x * 100.0)
}

/// A number with up to `decimals` decimals, trailing zeros removed; `-` when absent.
pub fn num(x: Option<f64>, decimals: usize) -> String {
    match x {
        None => "-".to_string(),
        Some(v) => {
            let s = format!("{v:.decimals$}");
            if s.contains('.') {
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                s
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_scales() {
        assert_eq!(money(12.3e9), "$12.30B");
        assert_eq!(money(-450e6), "-$450.00M");
        assert_eq!(money(12_345.0), "$12.3k");
        assert_eq!(money(950.0), "$950");
        assert_eq!(signed_money(0.4), "$0");
        assert_eq!(signed_money(1.2e9), "+$1.20B");
        assert_eq!(signed_money(-3.5e8), "-$350.00M");
    }

    #[test]
    fn percentages_and_numbers() {
        assert_eq!(pct(0.075), "7.5%");
        assert_eq!(signed_pct(0.075), "+7.5%");
        assert_eq!(signed_pct(-0.1), "-10.0%");
        assert_eq!(num(Some(1.50), 2), "1.5");
        assert_eq!(num(Some(2.0), 2), "2");
        assert_eq!(num(None, 2), "-");
    }
}
