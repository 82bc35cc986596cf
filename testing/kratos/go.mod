module github.com/actionsd/actionsd/testing/kratos

go 1.26.0
