/// `part / whole`, nil when `whole` is 0.
func ratio(_ part: Int64, _ whole: Int64) -> Double? {
    whole == 0 ? nil : Double(part) / Double(whole)
}
