//! `rollcall fix FILE --column C --replace FIND --with VALUE --out FIXED`: whole values replaced
//! headless, the corrected file in the original's layout, and the original never overwritten
//! by accident.

mod support;

use support::{json_lines, output, rollcall, text, Home};

/// A semicolon file with CRLF line endings, a quoted list and a password column.
const MISSPELT: &str = "Name;E-mail;Division;Roles\r\n\
    Ada Lovelace;ada@example.com;Suport;\"Supervisor:Sales,Suport\"\r\n\
    Alan Turing;alan@example.com;suport ;Agent:Sales\r\n\
    Grace Hopper;grace@example.com;Sales;Supervisor:Sales\r\n";

#[tokio::test]
async fn fix_replaces_whole_values_and_keeps_the_files_layout() {
    let home = Home::new("fix");
    let file = home.file("users.csv", MISSPELT);
    let out = home.path().join("fixed.csv");
    let fixed = output(
        rollcall(&home)
            .arg("fix")
            .arg(&file)
            .args(["--column", "division", "--replace", "Suport", "--with"])
            .args([
                "Support",
                "--column",
                "Roles",
                "--replace",
                "Sale",
                "--with",
            ])
            .args(["Support", "--out"])
            .arg(&out),
    )
    .await;
    assert_eq!(fixed.status.code(), Some(0), "{}", text(&fixed));
    let said = text(&fixed);
    assert!(
        said.contains("Division: \"Suport\" → \"Support\": 2 cells"),
        "{said}"
    );
    assert!(
        said.contains("Roles: \"Sale\" → \"Support\": no cell matched"),
        "a part of a name is never replaced: {said}"
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "Name;E-mail;Division;Roles\r\n\
         Ada Lovelace;ada@example.com;Support;\"Supervisor:Sales,Suport\"\r\n\
         Alan Turing;alan@example.com;Support ;Agent:Sales\r\n\
         Grace Hopper;grace@example.com;Sales;Supervisor:Sales\r\n",
        "only the two division values changed (spacing around them kept); the delimiter, \
         quotes and CRLF stay"
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        MISSPELT,
        "the original is untouched"
    );
}

#[tokio::test]
async fn fix_refuses_to_overwrite_the_original_unless_forced() {
    let home = Home::new("fix-force");
    let file = home.file("users.csv", MISSPELT);
    let fix = |force: bool| {
        let mut command = rollcall(&home);
        command
            .arg("fix")
            .arg(&file)
            .args(["--column", "division", "--replace", "suport", "--with"])
            .args(["Support", "--out"])
            .arg(home.path().join(".").join("users.csv"));
        if force {
            command.arg("--force");
        }
        command
    };
    let refused = output(&mut fix(false)).await;
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused));
    assert!(
        text(&refused).contains("is the file being fixed"),
        "{}",
        text(&refused)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), MISSPELT);

    let forced = output(&mut fix(true)).await;
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced));
    let replaced = std::fs::read_to_string(&file).unwrap();
    assert!(replaced.contains(";Support;"), "{replaced}");
    assert!(!replaced.contains("Suport;\"Supervisor"), "{replaced}");
}

#[tokio::test]
async fn fix_says_which_columns_exist_and_pairs_each_replace_with_a_with() {
    let home = Home::new("fix-usage");
    let file = home.file("users.csv", MISSPELT);
    let out = home.path().join("fixed.csv");
    let unknown = output(
        rollcall(&home)
            .arg("fix")
            .arg(&file)
            .args(["--column", "Department", "--replace", "a", "--with", "b"])
            .arg("--out")
            .arg(&out),
    )
    .await;
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        text(&unknown).contains(
            "no column \"Department\"; its columns are \"Name\", \"E-mail\", \"Division\", \"Roles\""
        ),
        "{}",
        text(&unknown)
    );

    let unpaired = output(
        rollcall(&home)
            .arg("fix")
            .arg(&file)
            .args(["--column", "division", "--replace", "a", "--replace", "b"])
            .args(["--with", "c", "--out"])
            .arg(&out),
    )
    .await;
    assert_eq!(unpaired.status.code(), Some(2));
    assert!(
        text(&unpaired).contains("2 --replace but 1 --with"),
        "{}",
        text(&unpaired)
    );
    assert!(!out.exists(), "nothing is written after a usage error");
}

#[tokio::test]
async fn fix_warns_that_passwords_are_not_kept_and_speaks_json_lines() {
    let home = Home::new("fix-json");
    let file = home.file(
        "users.csv",
        "name,email,division,password\nAda,ada@example.com,Suport,S3cret!pw\n",
    );
    let out = home.path().join("fixed.csv");
    let fixed = output(
        rollcall(&home)
            .arg("fix")
            .arg(&file)
            .args(["--column", "division", "--replace", "Suport", "--with"])
            .args(["Support", "--json", "--out"])
            .arg(&out),
    )
    .await;
    assert_eq!(fixed.status.code(), Some(0), "{}", text(&fixed));
    let lines = json_lines(&fixed);
    assert_eq!(lines[0]["type"], "replacement");
    assert_eq!(lines[0]["cells"], 1);
    assert_eq!(lines[1]["type"], "saved");
    assert_eq!(lines[1]["summary"]["passwordsDropped"], 1);
    let warning = lines[1]["summary"]["warnings"][0].as_str().unwrap();
    assert!(warning.starts_with("1 row lost a password"), "{warning}");
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        written,
        "name,email,division,password\nAda,ada@example.com,Support,\n"
    );
}
