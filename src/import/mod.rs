//! Reading, mapping and validating user files (CSV and XLSX).
