// placeholder: replaced by the AccessRecord implementation
