module localdev.kube/runc-wrapper

go 1.22
