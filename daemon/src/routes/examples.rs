//! Examples for the OpenAPI document, shaped after the demo data's answers and cut short where
//! a list is long; the golden API test checks that each conforms to its schema.

use serde_json::{json, Value};

/// The steering committee on 2022-02-01: its head seat and its working group's first seat.
pub(crate) fn composition() -> Value {
    json!({
        "answer": {
            "active": true,
            "committee": "ea95ebec-96bf-5135-8ca4-48e81205e7c8",
            "duties": [
                "Tham mưu cho Bộ trưởng Bộ TT&TT triển khai nhiệm vụ cải cách hành chính của Bộ"
            ],
            "name": "Ban chỉ đạo cải cách hành chính của Bộ Thông tin và Truyền thông",
            "on": "2022-02-01",
            "seats": [
                {
                    "decision": {
                        "id": "bdbd33a1-5a11-53c1-b7ad-04071c62c0b5",
                        "number": "34/QĐ-BTTTT"
                    },
                    "ex_officio": null,
                    "holders": [
                        {
                            "decision": {
                                "id": "bdbd33a1-5a11-53c1-b7ad-04071c62c0b5",
                                "number": "34/QĐ-BTTTT"
                            },
                            "membership": "930e67ba-8151-5c3e-af41-537f9ed59062",
                            "person": {
                                "id": "653de3d5-6f2a-51e1-a8f9-5a8dd3c6001e",
                                "name": "Nguyễn Huy Dũng"
                            },
                            "positions": [
                                {
                                    "id": "40bf7696-bbc0-5fc6-a4b5-83fa05d0369d",
                                    "title": "Thứ trưởng Bộ Thông tin và Truyền thông",
                                    "unit": {
                                        "id": "fb2926fc-dbaa-5985-869a-2a82936398e3",
                                        "name": "Bộ Thông tin và Truyền thông"
                                    }
                                }
                            ],
                            "since": "2022-01-14"
                        }
                    ],
                    "label": null,
                    "on_behalf_of": null,
                    "role": "head",
                    "seat": "26326329-d478-5011-b23c-598685510eae",
                    "since": "2022-01-14"
                }
            ],
            "sub_bodies": [
                {
                    "active": true,
                    "committee": "768024b2-2819-53e8-bef3-ac4a09476ac2",
                    "duties": [],
                    "name": "Tổ giúp việc Ban chỉ đạo cải cách hành chính của Bộ Thông tin và Truyền thông",
                    "on": "2022-02-01",
                    "seats": [
                        {
                            "decision": {
                                "id": "bdbd33a1-5a11-53c1-b7ad-04071c62c0b5",
                                "number": "34/QĐ-BTTTT"
                            },
                            "ex_officio": null,
                            "holders": [
                                {
                                    "decision": {
                                        "id": "bdbd33a1-5a11-53c1-b7ad-04071c62c0b5",
                                        "number": "34/QĐ-BTTTT"
                                    },
                                    "membership": "df5f1ce6-eb4b-562f-9488-8ff4ff7076a7",
                                    "person": {
                                        "id": "589078bf-2c7d-5ead-8ddf-c46dcf0d8507",
                                        "name": "Phạm Minh Tiến"
                                    },
                                    "positions": [
                                        {
                                            "id": "34f6d5bb-3c12-5cea-a0ff-f2791f7f3360",
                                            "title": "Vụ trưởng Vụ Tổ chức cán bộ",
                                            "unit": {
                                                "id": "75d4cb14-c15e-516d-b70f-a7576416b2fb",
                                                "name": "Vụ Tổ chức cán bộ"
                                            }
                                        }
                                    ],
                                    "since": "2022-01-14"
                                }
                            ],
                            "label": null,
                            "on_behalf_of": null,
                            "role": "group_leader",
                            "seat": "47cb13e4-8b70-5872-a7c8-58c74bac21b7",
                            "since": "2022-01-14"
                        }
                    ],
                    "sub_bodies": []
                }
            ]
        },
        "position": 201
    })
}

/// Cục Tin học hóa on 2022-02-01.
pub(crate) fn unit() -> Value {
    json!({
        "answer": {
            "active": true,
            "details": {
                "unit": {
                    "ended_on": null,
                    "kind": "authority",
                    "merged_into": null,
                    "names": [
                        {
                            "from": "2021-01-01",
                            "name": "Cục Tin học hóa"
                        }
                    ],
                    "parent": {
                        "id": "fb2926fc-dbaa-5985-869a-2a82936398e3",
                        "name": "Bộ Thông tin và Truyền thông"
                    },
                    "status": "active"
                }
            },
            "id": "4d237871-5f9c-556c-8bd6-1fd9b8dbaf5b",
            "kind": "unit",
            "name": "Cục Tin học hóa",
            "on": "2022-02-01",
            "revision": 0,
            "since": "2021-01-01"
        },
        "position": 201
    })
}

/// Phạm Minh Tiến on 2022-02-01.
pub(crate) fn person() -> Value {
    json!({
        "answer": {
            "active": true,
            "details": {
                "person": {
                    "names": [
                        {
                            "from": "2021-01-01",
                            "name": "Phạm Minh Tiến"
                        }
                    ],
                    "positions": [
                        {
                            "id": "34f6d5bb-3c12-5cea-a0ff-f2791f7f3360",
                            "title": "Vụ trưởng Vụ Tổ chức cán bộ",
                            "unit": {
                                "id": "75d4cb14-c15e-516d-b70f-a7576416b2fb",
                                "name": "Vụ Tổ chức cán bộ"
                            }
                        }
                    ]
                }
            },
            "id": "589078bf-2c7d-5ead-8ddf-c46dcf0d8507",
            "kind": "person",
            "name": "Phạm Minh Tiến",
            "on": "2022-02-01",
            "revision": 0,
            "since": "2021-01-01"
        },
        "position": 201
    })
}

/// The post of deputy minister on 2022-02-01.
pub(crate) fn post() -> Value {
    json!({
        "answer": {
            "active": true,
            "details": {
                "post": {
                    "abolished_on": null,
                    "holders": [
                        {
                            "id": "653de3d5-6f2a-51e1-a8f9-5a8dd3c6001e",
                            "name": "Nguyễn Huy Dũng"
                        }
                    ],
                    "max_holders": 5,
                    "unit": {
                        "id": "fb2926fc-dbaa-5985-869a-2a82936398e3",
                        "name": "Bộ Thông tin và Truyền thông"
                    }
                }
            },
            "id": "40bf7696-bbc0-5fc6-a4b5-83fa05d0369d",
            "kind": "post",
            "name": "Thứ trưởng Bộ Thông tin và Truyền thông",
            "on": "2022-02-01",
            "revision": 1,
            "since": "2021-01-01"
        },
        "position": 201
    })
}

/// The steering committee on 2022-02-01, with the first of its duties.
pub(crate) fn committee() -> Value {
    json!({
        "answer": {
            "active": true,
            "details": {
                "committee": {
                    "dissolved_on": null,
                    "duties": [
                        "Tham mưu cho Bộ trưởng Bộ TT&TT triển khai nhiệm vụ cải cách hành chính của Bộ"
                    ],
                    "established_by": {
                        "id": "bdbd33a1-5a11-53c1-b7ad-04071c62c0b5",
                        "number": "34/QĐ-BTTTT"
                    },
                    "parent": null,
                    "sub_bodies": [
                        {
                            "id": "768024b2-2819-53e8-bef3-ac4a09476ac2",
                            "name": "Tổ giúp việc Ban chỉ đạo cải cách hành chính của Bộ Thông tin và Truyền thông"
                        }
                    ],
                    "unit": {
                        "id": "fb2926fc-dbaa-5985-869a-2a82936398e3",
                        "name": "Bộ Thông tin và Truyền thông"
                    }
                }
            },
            "id": "ea95ebec-96bf-5135-8ca4-48e81205e7c8",
            "kind": "committee",
            "name": "Ban chỉ đạo cải cách hành chính của Bộ Thông tin và Truyền thông",
            "on": "2022-02-01",
            "revision": 49,
            "since": "2022-01-14"
        },
        "position": 201
    })
}

/// Decision 34/QĐ-BTTTT on 2022-02-01.
pub(crate) fn decision() -> Value {
    json!({
        "answer": {
            "active": true,
            "details": {
                "decision": {
                    "amends": [],
                    "in_force_before_signed": false,
                    "in_force_on": "2022-01-14",
                    "issuer": {
                        "id": "fb2926fc-dbaa-5985-869a-2a82936398e3",
                        "name": "Bộ Thông tin và Truyền thông"
                    },
                    "kind": "decision",
                    "kind_name": "Quyết định",
                    "number": "34/QĐ-BTTTT",
                    "repeals": [],
                    "replaces": [],
                    "signed_on": "2022-01-14",
                    "signer": null
                }
            },
            "id": "bdbd33a1-5a11-53c1-b7ad-04071c62c0b5",
            "kind": "decision",
            "name": "Kiện toàn Ban chỉ đạo cải cách hành chính của Bộ Thông tin và Truyền thông",
            "on": "2022-02-01",
            "revision": 0,
            "since": "2022-01-14"
        },
        "position": 201
    })
}

/// A task of the 2021 plan on 2021-06-30.
pub(crate) fn task() -> Value {
    json!({
        "answer": {
            "active": true,
            "details": {
                "task": {
                    "cooperating": [
                        {
                            "id": "75d4cb14-c15e-516d-b70f-a7576416b2fb",
                            "name": "Vụ Tổ chức cán bộ"
                        }
                    ],
                    "deadline": "2021-12-31",
                    "last_report": null,
                    "lead": {
                        "id": "a12159e1-f2f9-5b79-ae95-f91e9f2759ad",
                        "name": "Văn phòng Bộ"
                    },
                    "overdue": false,
                    "percent": null,
                    "plan": {
                        "id": "3068fbbe-29f0-5738-871f-9ba404433947",
                        "number": "KH tuyên truyền CCHC 2021 (số hiệu không nêu trong bài)"
                    },
                    "product": "Tin, bài tuyên truyền về cải cách hành chính",
                    "responsible": null,
                    "status": "open",
                    "warnings": []
                }
            },
            "id": "2a8fb6a4-da16-5c46-9f72-21b958bbb7cf",
            "kind": "task",
            "name": "Tổ chức triển khai kế hoạch tuyên truyền cải cách hành chính năm 2021",
            "on": "2021-06-30",
            "revision": 1,
            "since": "2021-01-15"
        },
        "position": 201
    })
}
